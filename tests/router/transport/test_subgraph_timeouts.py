"""EHB_ROUTER_SUBGRAPH_TIMEOUTS through the router: a subgraph that hangs past its own timeout
costs only its fields (null, with an error naming it); the rest of the response is returned,
and other subgraphs keep the default timeout."""

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator

import aiohttp
import orjson
import pytest
from starlette.types import ASGIApp, Receive, Scope, Send

from router.config import RouterConfig
from router.http.app import create_router_app
from tests.fixtures.benchmark.data import FIXTURE_DIR, benchmark_data
from tests.fixtures.benchmark.loopback import LoopbackServer, start_loopback_server
from tests.fixtures.benchmark.subgraph_servers import subgraph_app

HANG_SECONDS = 5.0
TIMEOUT_SECONDS = 0.3


class Hanging:
    """Holds every request until ``released`` (at most ``HANG_SECONDS``), then lets ``app``
    answer it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.released = asyncio.Event()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.released.wait(), HANG_SECONDS)
        await self.app(scope, receive, send)


@pytest.fixture
async def router_url() -> AsyncIterator[str]:
    servers: list[LoopbackServer] = []
    urls: dict[str, str] = {}
    hanging = Hanging(subgraph_app("products"))
    for name in ("accounts", "inventory", "products", "reviews"):
        server = await start_loopback_server(hanging if name == "products" else subgraph_app(name))
        servers.append(server)
        urls[name] = server.graphql_url
    router = await start_loopback_server(
        create_router_app(
            (FIXTURE_DIR / "supergraph.apollo.graphql").read_text(),
            subgraph_urls=urls,
            config=RouterConfig(subgraph_timeouts={"products": TIMEOUT_SECONDS}),
        )
    )
    servers.append(router)
    yield router.graphql_url
    hanging.released.set()
    for server in reversed(servers):
        await server.stop()


async def test_a_hanging_subgraph_nulls_only_its_fields_within_its_own_timeout(
    router_url: str,
) -> None:
    query = "{ users { username } topProducts { name } }"
    started = time.monotonic()
    async with (
        aiohttp.ClientSession() as client,
        client.post(router_url, json={"query": query}) as response,
    ):
        body = orjson.loads(await response.read())
    elapsed = time.monotonic() - started

    assert response.status == 200
    assert elapsed < HANG_SECONDS / 2
    assert body["data"]["users"] == [
        {"username": user["username"]} for user in benchmark_data()["users"]
    ]
    assert body["data"]["topProducts"] is None
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "SUBGRAPH_UNAVAILABLE"
    assert error["extensions"]["serviceName"] == "products"
    assert f"no response within {TIMEOUT_SECONDS:g}s" in error["message"]
