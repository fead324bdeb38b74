"""Upstream subscriptions open on a healthy instance, and on the next one when a WebSocket
cannot be opened."""

import asyncio

import aiohttp
from starlette.applications import Starlette
from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket

from router.subscriptions.upstream import UpstreamEnd, UpstreamSubscriptions
from router.types import SubgraphRequest
from tests.fixtures.benchmark.loopback import start_loopback_server, unused_loopback_port

REQUEST = SubgraphRequest("subscription{ticks}", operation_kind="subscription")


async def _one_tick(websocket: WebSocket) -> None:
    await websocket.accept(subprotocol="graphql-transport-ws")
    await websocket.receive_json()
    await websocket.send_json({"type": "connection_ack"})
    await websocket.receive_json()
    await websocket.send_json({"id": "1", "type": "next", "payload": {"data": {"ticks": 1}}})
    await websocket.send_json({"id": "1", "type": "complete"})
    await websocket.close()


async def test_a_subscription_opens_on_the_next_instance_when_one_refuses_and_that_one_is_out() -> (
    None
):
    server = await start_loopback_server(Starlette(routes=[WebSocketRoute("/graphql", _one_tick)]))
    refusing = f"http://127.0.0.1:{unused_loopback_port()}/graphql"
    session = aiohttp.ClientSession()
    upstreams = UpstreamSubscriptions(
        session,
        {"feed": [refusing, server.graphql_url]},
        connect_timeout_seconds=1.0,
        keepalive_seconds=5.0,
    )
    try:
        async with asyncio.timeout(5), upstreams.listen("feed", REQUEST, {}) as queue:
            assert await queue.get() == {"data": {"ticks": 1}}
            assert await queue.get() == UpstreamEnd("complete")
        pool = upstreams.instances.pool("feed")
        assert pool is not None
        assert [i.healthy for i in pool.instances] == [False, True]
    finally:
        await upstreams.close()
        await session.close()
        await server.stop()


async def test_a_subscription_whose_only_instance_refuses_ends_with_the_reason() -> None:
    refusing = f"http://127.0.0.1:{unused_loopback_port()}/graphql"
    async with aiohttp.ClientSession() as session:
        upstreams = UpstreamSubscriptions(
            session, {"feed": refusing}, connect_timeout_seconds=1.0, keepalive_seconds=5.0
        )
        async with asyncio.timeout(5), upstreams.listen("feed", REQUEST, {}) as queue:
            end = await queue.get()

    assert isinstance(end, UpstreamEnd) and end.kind == "error"
    assert "cannot open a WebSocket" in end.errors[0]["message"]
    assert end.errors[0]["extensions"]["code"] == "SUBGRAPH_UNAVAILABLE"
