"""The router's graphql-transport-ws client against subgraphs that misbehave: every way an
upstream can fail ends the stream with ``SubgraphUnavailable`` (never a hang), and closing the
stream sends ``complete``."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import aiohttp
import pytest
from starlette.applications import Starlette
from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket

from router.errors import SubgraphUnavailable
from router.transport.ws_client import (
    SubscriptionRefused,
    subscribe_over_websocket,
    websocket_url,
)
from router.types import SubgraphRequest
from tests.fixtures.benchmark.loopback import start_loopback_server, unused_loopback_port

Behaviour = Callable[[WebSocket], Awaitable[None]]
REQUEST = SubgraphRequest("subscription{ticks}", {"a": 1}, "Op", operation_kind="subscription")


@asynccontextmanager
async def subgraph(behaviour: Behaviour) -> AsyncIterator[str]:
    async def endpoint(websocket: WebSocket) -> None:
        await websocket.accept(subprotocol="graphql-transport-ws")
        await behaviour(websocket)

    server = await start_loopback_server(Starlette(routes=[WebSocketRoute("/graphql", endpoint)]))
    try:
        yield server.graphql_url
    finally:
        await server.stop()


async def collect(url: str, *, keepalive: float = 0.3) -> list[dict[str, object]]:
    async with aiohttp.ClientSession() as session:
        return [
            event
            async for event in subscribe_over_websocket(
                session,
                "feed",
                url,
                REQUEST,
                connection_payload={"Authorization": "Bearer t"},
                connect_timeout_seconds=0.5,
                keepalive_seconds=keepalive,
            )
        ]


async def acknowledge(websocket: WebSocket) -> dict[str, object]:
    init = await websocket.receive_json()
    assert init == {"type": "connection_init", "payload": {"Authorization": "Bearer t"}}
    await websocket.send_json({"type": "connection_ack"})
    subscribe: dict[str, object] = await websocket.receive_json()
    return subscribe


def test_subgraph_urls_become_websocket_urls() -> None:
    assert websocket_url("http://a:1/graphql") == "ws://a:1/graphql"
    assert websocket_url("https://a/graphql") == "wss://a/graphql"


async def test_events_are_yielded_until_the_subgraph_completes() -> None:
    async def behaviour(websocket: WebSocket) -> None:
        subscribe = await acknowledge(websocket)
        assert subscribe == {
            "id": "1",
            "type": "subscribe",
            "payload": {
                "query": "subscription{ticks}",
                "variables": {"a": 1},
                "operationName": "Op",
            },
        }
        await websocket.send_json({"type": "ping"})
        assert await websocket.receive_json() == {"type": "pong"}
        for tick in (1, 2):
            await websocket.send_json(
                {"id": "1", "type": "next", "payload": {"data": {"ticks": tick}}}
            )
        await websocket.send_json({"id": "1", "type": "complete"})

    async with subgraph(behaviour) as url:
        assert await collect(url) == [{"data": {"ticks": 1}}, {"data": {"ticks": 2}}]


async def test_a_refused_connection_is_unavailable() -> None:
    with pytest.raises(SubgraphUnavailable, match="cannot open a WebSocket"):
        await collect(f"http://127.0.0.1:{unused_loopback_port()}/graphql")


async def test_no_ack_in_time_is_unavailable() -> None:
    async def behaviour(websocket: WebSocket) -> None:
        await websocket.receive_json()
        await websocket.receive()  # never acknowledges

    async with subgraph(behaviour) as url:
        with pytest.raises(SubgraphUnavailable, match="no connection_ack"):
            await collect(url)


async def test_a_subgraph_that_stops_answering_pings_is_given_up() -> None:
    pings: list[object] = []

    async def behaviour(websocket: WebSocket) -> None:
        await acknowledge(websocket)
        while True:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                return
            pings.append(message.get("text"))  # and no pong

    async with subgraph(behaviour) as url:
        with pytest.raises(SubgraphUnavailable, match="stopped answering pings"):
            await collect(url, keepalive=0.2)
    assert pings[0] == '{"type":"ping"}'


async def test_an_error_message_passes_the_subgraphs_errors_on() -> None:
    async def behaviour(websocket: WebSocket) -> None:
        await acknowledge(websocket)
        await websocket.send_json(
            {"id": "1", "type": "error", "payload": [{"message": "not allowed"}]}
        )
        await websocket.receive()

    async with subgraph(behaviour) as url:
        with pytest.raises(SubscriptionRefused) as refused:
            await collect(url)
    assert refused.value.errors == [{"message": "not allowed"}]


async def test_a_close_is_unavailable_with_its_code() -> None:
    async def behaviour(websocket: WebSocket) -> None:
        await acknowledge(websocket)
        await websocket.close(4403, "Forbidden")

    async with subgraph(behaviour) as url:
        with pytest.raises(SubgraphUnavailable, match="code 4403"):
            await collect(url)


async def test_garbage_is_unavailable() -> None:
    async def behaviour(websocket: WebSocket) -> None:
        await acknowledge(websocket)
        await websocket.send_text("not json")
        await websocket.receive()

    async with subgraph(behaviour) as url:
        with pytest.raises(SubgraphUnavailable, match="not JSON"):
            await collect(url)


async def test_closing_the_stream_sends_complete() -> None:
    received: list[object] = []

    async def behaviour(websocket: WebSocket) -> None:
        await acknowledge(websocket)
        await websocket.send_json({"id": "1", "type": "next", "payload": {"data": {"ticks": 1}}})
        received.append(await websocket.receive_json())

    async with subgraph(behaviour) as url, aiohttp.ClientSession() as session:
        events = subscribe_over_websocket(
            session,
            "feed",
            url,
            REQUEST,
            connection_payload={"Authorization": "Bearer t"},
            connect_timeout_seconds=0.5,
            keepalive_seconds=5,
        )
        assert await anext(events) == {"data": {"ticks": 1}}
        await events.aclose()
    assert received == [{"id": "1", "type": "complete"}]
