"""A subgraph's WebSocket connection on `/graphql` (the router opens one per upstream
subscription) is a `subgraph.websocket` span continuing the upgrade request's `traceparent`:
the router's `router.subscribe` span."""

from __future__ import annotations

from pathlib import Path

import websockets

from subgraphs.kernel.testing import migrated_settings
from tests.integration.telemetry.otlp_receiver import otlp_receiver
from tests.subgraphs.kernel.events_probe import (
    TransportWsClient,
    create_events_app,
    serve_with_websockets,
)

TRACE = "9a1c1f5e9d7b4c3aa0b1c2d3e4f50617"
CALLER = "3f2e1d0c0b0a0908"


async def test_a_websocket_connection_joins_the_upgrades_trace(tmp_path: Path) -> None:
    async with otlp_receiver() as receiver:
        settings = await migrated_settings("money", tmp_path)
        app = create_events_app(settings.model_copy(update={"otlp_traces_endpoint": receiver.url}))
        async with (
            serve_with_websockets(app) as url,
            websockets.connect(
                url.replace("http://", "ws://") + "/graphql",
                subprotocols=["graphql-transport-ws"],  # type: ignore[list-item]
                additional_headers={"traceparent": f"00-{TRACE}-{CALLER}-01"},
            ) as connection,
        ):
            client = TransportWsClient(connection)
            await client.send({"type": "connection_init", "payload": {}})
            assert (await client.receive())["type"] == "connection_ack"
            operation = await client.subscribe("subscription { whoami }")
            assert await client.next_data(operation) == {"data": {"whoami": "anonymous"}}
            assert (await client.receive())["type"] == "complete"
        # Leaving serve_with_websockets stopped the app: its lifespan flushed the spans.

    (connection_span,) = [span for span in receiver.spans if span.name == "subgraph.websocket"]
    assert connection_span.service == "ehb-money"
    assert connection_span.trace_id == TRACE
    assert connection_span.parent_span_id == CALLER
    assert connection_span.attributes["url.path"] == "/graphql"
