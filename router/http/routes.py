"""The router's HTTP routes; endpoints find the engine and fetcher in the lifespan state."""

from __future__ import annotations

from starlette.routing import BaseRoute, Route, WebSocketRoute

from router.http.graphql_endpoint import graphql_endpoint
from router.http.health import health_endpoint
from router.http.ready import ready_endpoint
from router.http.websocket_endpoint import graphql_websocket
from router.telemetry.exposition import metrics_endpoint
from router.telemetry.requests import observed, observed_websocket

# Other methods get a GraphQL error body (405) from the endpoint rather than Starlette's text.
GRAPHQL_ROUTE_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def router_routes() -> list[BaseRoute]:
    return [
        Route("/graphql", observed(graphql_endpoint), methods=GRAPHQL_ROUTE_METHODS),
        WebSocketRoute("/graphql", observed_websocket(graphql_websocket)),
        Route("/health", health_endpoint, methods=["GET"]),
        Route("/ready", ready_endpoint, methods=["GET"]),
        Route("/metrics", metrics_endpoint, methods=["GET"]),
    ]
