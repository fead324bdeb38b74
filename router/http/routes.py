"""The router's HTTP routes; endpoints find the engine and fetcher in the lifespan state."""

from __future__ import annotations

from starlette.routing import Route

from router.http.graphql_endpoint import graphql_endpoint
from router.http.health import health_endpoint

# Other methods get a GraphQL error body (405) from the endpoint rather than Starlette's text.
GRAPHQL_ROUTE_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def router_routes() -> list[Route]:
    return [
        Route("/graphql", graphql_endpoint, methods=GRAPHQL_ROUTE_METHODS),
        Route("/health", health_endpoint, methods=["GET"]),
    ]
