"""Sharing upstream subscriptions between listeners (``UpstreamSubscriptions``) against a
scripted subgraph: one upstream per identical request, torn down when the last listener
leaves, ends delivered to every listener, slow listeners dropped rather than buffered."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiohttp
from starlette.applications import Starlette
from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from router.subscriptions.upstream import (
    LISTENER_QUEUE_SIZE,
    UpstreamEnd,
    UpstreamSubscriptions,
)
from router.types import SubgraphRequest
from tests.fixtures.benchmark.loopback import start_loopback_server

REQUEST = SubgraphRequest("subscription{ticks}", operation_kind="subscription")
AUTH = {"Authorization": "Bearer a"}


class ScriptedSubgraph:
    """Acknowledges, then sends what the test puts in ``outgoing`` (None: close)."""

    def __init__(self) -> None:
        self.outgoing: asyncio.Queue[dict[str, object] | None] = asyncio.Queue()
        self.connections = 0
        self.open = 0

    async def endpoint(self, websocket: WebSocket) -> None:
        await websocket.accept(subprotocol="graphql-transport-ws")
        self.connections += 1
        self.open += 1
        try:
            await websocket.receive_json()
            await websocket.send_json({"type": "connection_ack"})
            await websocket.receive_json()
            reader = asyncio.create_task(self._drain(websocket))
            try:
                while True:
                    message = await self.outgoing.get()
                    if message is None:
                        await websocket.close(1011)
                        return
                    await websocket.send_json(message)
            finally:
                reader.cancel()
        except WebSocketDisconnect:
            pass
        finally:
            self.open -= 1

    async def _drain(self, websocket: WebSocket) -> None:
        while (await websocket.receive())["type"] != "websocket.disconnect":
            pass
        self.outgoing.put_nowait(None)


@asynccontextmanager
async def hub() -> AsyncIterator[tuple[UpstreamSubscriptions, ScriptedSubgraph]]:
    scripted = ScriptedSubgraph()
    server = await start_loopback_server(
        Starlette(routes=[WebSocketRoute("/graphql", scripted.endpoint)])
    )
    session = aiohttp.ClientSession()
    upstreams = UpstreamSubscriptions(
        session,
        {"feed": server.graphql_url},
        connect_timeout_seconds=1.0,
        keepalive_seconds=5.0,
    )
    try:
        yield upstreams, scripted
    finally:
        await upstreams.close()
        await session.close()
        await server.stop()


def tick(number: int) -> dict[str, object]:
    return {"id": "1", "type": "next", "payload": {"data": {"ticks": number}}}


async def test_identical_requests_share_one_upstream_and_each_listener_gets_a_copy() -> None:
    async with hub() as (upstreams, scripted):
        async with (
            upstreams.listen("feed", REQUEST, AUTH) as first,
            upstreams.listen("feed", REQUEST, AUTH) as second,
        ):
            scripted.outgoing.put_nowait(tick(1))
            one, two = await first.get(), await second.get()
            assert one == two == {"data": {"ticks": 1}}
            assert one is not two
            assert (upstreams.opened, upstreams.active, scripted.connections) == (1, 1, 1)
            async with upstreams.listen("feed", REQUEST, {"Authorization": "Bearer b"}):
                assert upstreams.opened == 2
        await asyncio.sleep(0.2)
        assert (upstreams.active, scripted.open) == (0, 0)


async def test_an_upstream_close_ends_every_listener_with_an_error() -> None:
    async with (
        hub() as (upstreams, scripted),
        upstreams.listen("feed", REQUEST, AUTH) as first,
        upstreams.listen("feed", REQUEST, AUTH) as second,
    ):
        scripted.outgoing.put_nowait(None)
        for queue in (first, second):
            end = await asyncio.wait_for(queue.get(), 5)
            assert isinstance(end, UpstreamEnd)
            assert end.kind == "error"
            assert end.errors[0]["extensions"] == {
                "code": "SUBGRAPH_UNAVAILABLE",
                "serviceName": "feed",
            }
        assert upstreams.active == 0


async def test_a_complete_ends_every_listener_with_complete() -> None:
    async with hub() as (upstreams, scripted), upstreams.listen("feed", REQUEST, AUTH) as queue:
        scripted.outgoing.put_nowait(tick(1))
        scripted.outgoing.put_nowait({"id": "1", "type": "complete"})
        assert await queue.get() == {"data": {"ticks": 1}}
        assert await asyncio.wait_for(queue.get(), 5) == UpstreamEnd("complete")


async def test_a_refusal_passes_the_subgraphs_errors_with_its_name() -> None:
    async with hub() as (upstreams, scripted), upstreams.listen("feed", REQUEST, AUTH) as queue:
        scripted.outgoing.put_nowait(
            {
                "id": "1",
                "type": "error",
                "payload": [{"message": "no", "extensions": {"code": "FORBIDDEN"}}],
            }
        )
        end = await asyncio.wait_for(queue.get(), 5)
        assert end == UpstreamEnd(
            "error",
            ({"message": "no", "extensions": {"code": "FORBIDDEN", "serviceName": "feed"}},),
        )


async def test_a_listener_that_falls_too_far_behind_is_dropped_with_an_error() -> None:
    async with (
        hub() as (upstreams, scripted),
        upstreams.listen("feed", REQUEST, AUTH) as slow,
        upstreams.listen("feed", REQUEST, AUTH) as fast,
    ):
        for start in range(0, LISTENER_QUEUE_SIZE + 1, 100):
            numbers = range(start, min(start + 100, LISTENER_QUEUE_SIZE + 1))
            for number in numbers:
                scripted.outgoing.put_nowait(tick(number))
            for number in numbers:
                assert await asyncio.wait_for(fast.get(), 5) == {"data": {"ticks": number}}
        items = [slow.get_nowait() for _ in range(slow.qsize())]
        assert isinstance(items[-1], UpstreamEnd)
        assert items[-1].kind == "error"
        assert "too far behind" in items[-1].errors[0]["message"]


async def test_an_unknown_subgraph_ends_at_once() -> None:
    async with hub() as (upstreams, _), upstreams.listen("nope", REQUEST, AUTH) as queue:
        end = await asyncio.wait_for(queue.get(), 5)
        assert isinstance(end, UpstreamEnd)
        assert end.kind == "error"
