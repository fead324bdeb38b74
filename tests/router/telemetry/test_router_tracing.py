"""Router spans exported over OTLP/HTTP to a real receiver: the caller's trace continues
through ``router.request``, ``router.plan`` and one ``router.fetch`` per subgraph fetch, and
each subgraph gets the ``traceparent`` of its fetch span."""

from __future__ import annotations

import aiohttp
from opentelemetry.trace import SpanKind

from router.config import RouterConfig
from router.telemetry.settings import TracingSettings
from tests.fixtures.benchmark.loopback import start_loopback_server
from tests.integration.telemetry.otlp_receiver import otlp_receiver
from tests.router.telemetry.router_servers import TOP_PRODUCTS, Subgraphs, post_query, router_app

CLIENT_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
CLIENT_SPAN = "00f067aa0ba902b7"


def traced(endpoint: str) -> RouterConfig:
    return RouterConfig(
        tracing=TracingSettings(enabled=True, service_name="test-router", endpoint=endpoint)
    )


async def test_a_request_is_one_trace_from_the_caller_to_every_subgraph(
    subgraphs: Subgraphs, client: aiohttp.ClientSession
) -> None:
    seen = {name: len(recorder.seen) for name, recorder in subgraphs.recorders.items()}
    async with otlp_receiver() as receiver:
        server = await start_loopback_server(router_app(subgraphs.urls, traced(receiver.url)))
        headers = {"traceparent": f"00-{CLIENT_TRACE}-{CLIENT_SPAN}-01", "x-request-id": "req-1"}
        first = await post_query(client, server.graphql_url, TOP_PRODUCTS, headers=headers)
        second = await post_query(client, server.graphql_url, TOP_PRODUCTS)
        await server.stop()  # the lifespan flushes the queued spans

    assert "errors" not in first and "errors" not in second
    spans = receiver.in_trace(CLIENT_TRACE)
    assert {span.service for span in spans} == {"test-router"}
    (request,) = [span for span in spans if span.name == "router.request"]
    assert request.parent_span_id == CLIENT_SPAN
    assert request.kind == SpanKind.SERVER.value + 1  # OTLP numbers kinds from 1 (internal)
    assert request.attributes["graphql.operation.name"] == "TopProducts"
    assert request.attributes["graphql.operation.type"] == "query"
    assert request.attributes["ehb.request_id"] == "req-1"
    assert request.attributes["http.response.status_code"] == 200

    (plan,) = [span for span in spans if span.name == "router.plan"]
    assert plan.parent_span_id == request.span_id
    assert plan.attributes["ehb.plan.cache_hit"] is False

    fetches = {
        span.attributes["ehb.subgraph"]: span for span in spans if span.name == "router.fetch"
    }
    assert set(fetches) == {"products", "inventory"}
    for name, fetch in fetches.items():
        assert fetch.parent_span_id == request.span_id
        assert fetch.attributes["url.full"] == subgraphs.urls[name]
        assert fetch.attributes["http.response.status_code"] == 200
        # The subgraph was asked with the fetch span as the parent of whatever it traces.
        (traceparent,) = subgraphs.recorders[name].seen[seen[name] :][:1]
        assert traceparent == f"00-{CLIENT_TRACE}-{fetch.span_id}-01"

    # A request without traceparent starts its own trace; its plan came from the cache.
    others = [span for span in receiver.spans if span.trace_id != CLIENT_TRACE]
    (own_request,) = [span for span in others if span.name == "router.request"]
    assert own_request.parent_span_id == ""
    (cached_plan,) = [span for span in others if span.name == "router.plan"]
    assert cached_plan.attributes["ehb.plan.cache_hit"] is True


async def test_without_tracing_subgraphs_get_no_traceparent(
    subgraphs: Subgraphs, client: aiohttp.ClientSession
) -> None:
    seen = len(subgraphs.recorders["products"].seen)
    server = await start_loopback_server(router_app(subgraphs.urls, RouterConfig()))
    try:
        headers = {"traceparent": f"00-{CLIENT_TRACE}-{CLIENT_SPAN}-01"}
        body = await post_query(client, server.graphql_url, TOP_PRODUCTS, headers=headers)
    finally:
        await server.stop()

    assert "errors" not in body
    assert subgraphs.recorders["products"].seen[seen:] == [None]
