"""`ehb router` reloads its supergraph (file change, SIGHUP) without dropping anything in flight.

The subscriptions test graph: `feed` (subscriptions, published from this process) and `shop`
(orders; the first shop answers a second after each request arrives). The new supergraph adds
a `Query` field and moves `shop` to a second, fast server."""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from starlette.types import ASGIApp, Receive, Scope, Send
from strawberry.asgi import GraphQL

from tests.fixtures.benchmark.loopback import (
    LoopbackServer,
    bind_ephemeral_socket,
    serve_on_socket,
    start_loopback_server,
)
from tests.fixtures.features.harness import RecordingApp, RequestLog
from tests.fixtures.subscriptions.platform import PROTOCOL, SUPERGRAPH, receive
from tests.fixtures.subscriptions.subgraphs import (
    BROKER,
    SHOP,
    feed_app,
    sample_notification,
    shop_app,
)
from tests.integration.benchmark.graphql_client import post_graphql
from tests.router.http.router_process import RouterProcess, running_router

SLOW_SECONDS = 1.0
TOPIC = "reload"
NEW_FIELD = "feedTitle"
QUERY_FIELDS = '{ __type(name: "Query") { fields { name } } }'
ORDER = '{ order(id: "o1") { label } }'


def _slow(app: ASGIApp) -> ASGIApp:
    async def slow_app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "POST":
            await asyncio.sleep(SLOW_SECONDS)
        await app(scope, receive, send)

    return slow_app


@dataclass
class Graph:
    feed: LoopbackServer
    slow_shop: LoopbackServer
    fast_shop: LoopbackServer
    slow_log: RequestLog
    fast_log: RequestLog

    def supergraph(self, *, new: bool) -> str:
        shop = self.fast_shop if new else self.slow_shop
        sdl = (
            SUPERGRAPH.read_text()
            .replace("http://feed.invalid/graphql", self.feed.graphql_url)
            .replace("http://shop.invalid/graphql", shop.graphql_url)
        )
        if new:
            anchor = "  feedName: String! @join__field(graph: FEED)\n"
            sdl = sdl.replace(anchor, anchor + f"  {NEW_FIELD}: String @join__field(graph: FEED)\n")
        return sdl


@pytest.fixture
async def graph() -> AsyncIterator[Graph]:
    slow_log, fast_log = RequestLog(), RequestLog()
    feed = await serve_on_socket(feed_app(), bind_ephemeral_socket())
    slow_shop = await start_loopback_server(
        RecordingApp("shop", _slow(GraphQL(SHOP, graphql_ide=None)), slow_log)
    )
    fast_shop = await start_loopback_server(shop_app(fast_log))
    BROKER.reset()
    yield Graph(feed, slow_shop, fast_shop, slow_log, fast_log)
    BROKER.reset()
    for server in (feed, slow_shop, fast_shop):
        await server.stop()


def _orders(log: RequestLog) -> int:
    return sum("order(" in request["query"] for _, request in log.entries)


def _replace(path: Path, text: str) -> None:
    """Write the file as deployments do: a new file renamed over the old one."""
    staged = path.with_suffix(".staged")
    staged.write_text(text)
    os.replace(staged, path)


async def _query_fields(client: aiohttp.ClientSession, router: RouterProcess) -> set[str]:
    status, body = await post_graphql(client, router.graphql_url, QUERY_FIELDS)
    assert status == 200, body
    return {field["name"] for field in body["data"]["__type"]["fields"]}


async def _subscribe(client: aiohttp.ClientSession, router: RouterProcess) -> Any:
    ws = await client.ws_connect(router.ws_url, protocols=(PROTOCOL,))
    await ws.send_json({"type": "connection_init", "payload": {}})
    assert await receive(ws) == {"type": "connection_ack"}
    query = f'subscription {{ notificationAdded(topic: "{TOPIC}") {{ id message }} }}'
    await ws.send_json({"id": "1", "type": "subscribe", "payload": {"query": query}})
    await BROKER.wait_for_subscribers(TOPIC, 1)
    return ws


async def _next_event(ws: Any, number: int) -> dict[str, Any]:
    BROKER.publish(TOPIC, sample_notification(number))
    message = await receive(ws)
    assert message["type"] == "next", message
    data: dict[str, Any] = message["payload"]["data"]["notificationAdded"]
    return data


@pytest.mark.parametrize(
    ("trigger", "workers"), [("file change", "1"), ("SIGHUP", "2")], ids=["file", "sighup"]
)
async def test_a_reload_serves_new_requests_while_in_flight_work_finishes_on_the_old_one(
    graph: Graph,
    client: aiohttp.ClientSession,
    tmp_path: Path,
    trigger: str,
    workers: str,
) -> None:
    path = tmp_path / "supergraph.graphql"
    path.write_text(graph.supergraph(new=False))
    poll = "0.1" if trigger == "file change" else "3600"
    async with running_router(
        "--supergraph",
        str(path),
        "--workers",
        workers,
        log_path=tmp_path / "router.log",
        env={"EHB_ROUTER_SUPERGRAPH_POLL": poll, "EHB_LOG_FORMAT": "json"},
    ) as router:
        ws = await _subscribe(client, router)
        assert await _next_event(ws, 1) == {"id": "n1", "message": "message 1"}
        assert NEW_FIELD not in await _query_fields(client, router)
        in_flight = asyncio.create_task(post_graphql(client, router.graphql_url, ORDER))
        async with asyncio.timeout(5):
            while not _orders(graph.slow_log):  # noqa: ASYNC110 - the request reached the shop
                await asyncio.sleep(0.01)

        _replace(path, graph.supergraph(new=True))
        if trigger == "SIGHUP":
            router.process.send_signal(signal.SIGHUP)
        await router.wait_for_log(lambda log: log.count("supergraph reloaded") == int(workers))

        assert not in_flight.done()  # the reload did not wait for it
        assert await in_flight == (200, {"data": {"order": {"label": "First order"}}})
        assert await _next_event(ws, 2) == {"id": "n2", "message": "message 2"}
        for _ in range(4):  # fresh connections: with two workers, most likely both of them
            async with aiohttp.ClientSession() as fresh:
                assert NEW_FIELD in await _query_fields(fresh, router)
        assert await post_graphql(client, router.graphql_url, ORDER) == (
            200,
            {"data": {"order": {"label": "First order"}}},
        )
        assert _orders(graph.fast_log) == 1  # the new supergraph's shop
        assert _orders(graph.slow_log) == 1
        await ws.close()

    reloads = [line for line in router.json_log() if "supergraph reloaded" in str(line["message"])]
    assert len(reloads) == int(workers)
    assert all(line["logger"] == "router.http.reload" for line in reloads)


async def test_an_unusable_supergraph_is_logged_and_the_old_one_keeps_serving(
    graph: Graph, client: aiohttp.ClientSession, tmp_path: Path
) -> None:
    path = tmp_path / "supergraph.graphql"
    path.write_text(graph.supergraph(new=False))
    async with running_router(
        "--supergraph",
        str(path),
        log_path=tmp_path / "router.log",
        env={"EHB_ROUTER_SUPERGRAPH_POLL": "0.1"},
    ) as router:
        ws = await _subscribe(client, router)
        _replace(path, "type Query { broken")
        await router.wait_for_log(lambda log: "not reloaded (file changed)" in log)

        assert NEW_FIELD not in await _query_fields(client, router)
        assert await _next_event(ws, 1) == {"id": "n1", "message": "message 1"}

        router.process.send_signal(signal.SIGHUP)  # the same bad file: still the old supergraph
        await router.wait_for_log(lambda log: "not reloaded (SIGHUP)" in log)
        assert NEW_FIELD not in await _query_fields(client, router)

        _replace(path, graph.supergraph(new=True))  # fixed: taken at once
        await router.wait_for_log(lambda log: "supergraph reloaded" in log)
        assert NEW_FIELD in await _query_fields(client, router)
        await ws.close()

    assert "still serving the previous one" in router.log()
