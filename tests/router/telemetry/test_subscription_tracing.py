"""Upstream subscriptions in the router's traces: opening one is a ``router.subscribe`` span,
and the WebSocket upgrade to the subgraph carries that span's ``traceparent``, so the
subgraph's spans for the subscription join the router's trace (as fetches over HTTP do)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiohttp
from opentelemetry.trace import SpanKind

from router.config import RouterConfig
from router.http.app import create_router_app
from router.telemetry.settings import TracingSettings
from tests.fixtures.benchmark.loopback import LoopbackServer, start_loopback_server
from tests.fixtures.features.harness import RequestLog
from tests.fixtures.subscriptions.platform import PROTOCOL, SUPERGRAPH, receive
from tests.fixtures.subscriptions.subgraphs import feed_app, shop_app
from tests.integration.telemetry.otlp_receiver import otlp_receiver
from tests.router.telemetry.router_servers import TraceparentRecorder

COUNT_TO_TWO = "subscription CountToTwo { countTo(to: 2) }"


@asynccontextmanager
async def router_over_feed(
    config: RouterConfig,
) -> AsyncIterator[tuple[LoopbackServer, TraceparentRecorder]]:
    """The router (stopped on the way out, which flushes its spans) over a recorded feed."""
    feed = TraceparentRecorder(feed_app(), scope_type="websocket")
    subgraphs = [
        await start_loopback_server(feed),
        await start_loopback_server(shop_app(RequestLog())),
    ]
    app = create_router_app(
        SUPERGRAPH.read_text(),
        subgraph_urls={"feed": subgraphs[0].graphql_url, "shop": subgraphs[1].graphql_url},
        config=config,
    )
    router = await start_loopback_server(app)
    try:
        yield router, feed
    finally:
        await router.stop()
        for server in subgraphs:
            await server.stop()


async def count_to_two(router: LoopbackServer) -> None:
    """Subscribe over the router's WebSocket and read the whole subscription."""
    async with (
        aiohttp.ClientSession() as client,
        client.ws_connect(f"ws://127.0.0.1:{router.port}/graphql", protocols=(PROTOCOL,)) as ws,
    ):
        await ws.send_json({"type": "connection_init", "payload": {}})
        assert await receive(ws) == {"type": "connection_ack"}
        await ws.send_json({"id": "1", "type": "subscribe", "payload": {"query": COUNT_TO_TWO}})
        for number in (1, 2):
            assert await receive(ws) == {
                "id": "1",
                "type": "next",
                "payload": {"data": {"countTo": number}},
            }
        assert await receive(ws) == {"id": "1", "type": "complete"}


async def test_the_upstream_websocket_upgrade_carries_the_subscribe_spans_trace() -> None:
    async with otlp_receiver() as receiver:
        tracing = TracingSettings(enabled=True, service_name="test-router", endpoint=receiver.url)
        async with router_over_feed(RouterConfig(tracing=tracing)) as (router, feed):
            await count_to_two(router)

    (subscribe,) = [span for span in receiver.spans if span.name == "router.subscribe"]
    assert subscribe.service == "test-router"
    assert subscribe.kind == SpanKind.CLIENT.value + 1  # OTLP numbers kinds from 1 (internal)
    assert subscribe.attributes["ehb.subgraph"] == "feed"
    # The name of the operation sent to the subgraph, as on router.fetch spans.
    assert subscribe.attributes["graphql.operation.name"].startswith("CountToTwo")
    assert subscribe.attributes["url.full"].startswith("ws://127.0.0.1:")
    assert subscribe.status_code == 0  # unset: it opened
    # The subgraph was asked with the span as the parent of whatever it traces.
    (traceparent,) = feed.seen
    assert traceparent is not None
    version, trace_id, parent_id, flags = traceparent.split("-")
    assert (version, trace_id, parent_id) == ("00", subscribe.trace_id, subscribe.span_id)
    assert int(flags, 16) & 1  # sampled


async def count_to_two_over_sse(router: LoopbackServer) -> None:
    """Subscribe over GraphQL over SSE and read the whole stream."""
    async with (
        aiohttp.ClientSession() as client,
        client.post(
            f"http://127.0.0.1:{router.port}/graphql",
            json={"query": COUNT_TO_TWO},
            headers={"accept": "text/event-stream"},
        ) as response,
    ):
        assert response.status == 200
        body = (await response.read()).decode()
    assert '{"data":{"countTo":2}}' in body
    assert "event: complete" in body


async def test_an_sse_subscription_joins_the_trace_too() -> None:
    async with otlp_receiver() as receiver:
        tracing = TracingSettings(enabled=True, service_name="test-router", endpoint=receiver.url)
        async with router_over_feed(RouterConfig(tracing=tracing)) as (router, feed):
            await count_to_two_over_sse(router)

    (subscribe,) = [span for span in receiver.spans if span.name == "router.subscribe"]
    (traceparent,) = feed.seen
    assert traceparent is not None
    assert traceparent.split("-")[1:3] == [subscribe.trace_id, subscribe.span_id]


async def test_without_tracing_the_upgrade_carries_no_traceparent() -> None:
    async with router_over_feed(RouterConfig()) as (router, feed):
        await count_to_two(router)
    assert feed.seen == [None]
