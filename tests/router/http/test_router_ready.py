"""GET /ready (readiness) through the real router app and real subgraph servers: 200 only while
every subgraph of the supergraph has a usable instance, else 503 naming those without one;
/health (liveness) stays 200 meanwhile."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import orjson
import pytest

from router.config import RouterConfig
from router.instance_settings import InstanceSettings
from tests.fixtures.benchmark.loopback import (
    LoopbackServer,
    bind_loopback_socket,
    serve_on_socket,
    unused_loopback_port,
)
from tests.fixtures.benchmark.subgraph_servers import (
    graphql_urls,
    start_benchmark_subgraphs,
    subgraph_app,
)
from tests.router.http.edge_router import serving_router
from tests.router.transport.instance_servers import RunningInstance, start_instance

CONFIG = RouterConfig(
    health_probe_timeout_seconds=1.0,
    instances=InstanceSettings(
        check_interval_seconds=0.05, check_timeout_seconds=0.5, unhealthy_after=2, healthy_after=2
    ),
)


@pytest.fixture(scope="module")
async def subgraph_urls() -> AsyncIterator[dict[str, str]]:
    servers = await start_benchmark_subgraphs()
    yield graphql_urls(servers)
    for server in servers.values():
        await server.stop()


@pytest.fixture
async def client() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def _get(client: aiohttp.ClientSession, url: str) -> tuple[int, dict[str, Any]]:
    async with client.get(url) as response:
        assert response.headers["cache-control"] == "no-store"
        return response.status, orjson.loads(await response.read())


async def _ready_until(
    client: aiohttp.ClientSession, base_url: str, status: int, seconds: float = 5.0
) -> dict[str, Any]:
    """The /ready body once it answers ``status`` (instance checks take a few intervals)."""
    deadline = time.monotonic() + seconds
    while True:
        answered, body = await _get(client, f"{base_url}/ready")
        if answered == status:
            return body
        if time.monotonic() > deadline:
            raise AssertionError(f"/ready still {answered} {body} after {seconds}s")
        await asyncio.sleep(0.05)


async def _reviews_instances_out_once(
    client: aiohttp.ClientSession, base_url: str, count: int, seconds: float = 5.0
) -> int:
    """How many reviews instances /health shows out, once it is ``count``."""
    deadline = time.monotonic() + seconds
    while True:
        _, health = await _get(client, f"{base_url}/health")
        listed = health["subgraphs"]["reviews"]["instances"]
        out = sum(1 for instance in listed if instance["status"] == "fail")
        if out == count or time.monotonic() > deadline:
            return out
        await asyncio.sleep(0.05)


async def test_ready_while_every_subgraph_has_a_usable_instance(
    subgraph_urls: dict[str, str], client: aiohttp.ClientSession
) -> None:
    async with serving_router(subgraph_urls, CONFIG) as router:
        status, body = await _get(client, f"{router.base_url}/ready")

    assert (status, body) == (200, {"status": "pass"})


async def test_a_subgraph_whose_only_instance_is_down_makes_it_503_until_it_serves(
    subgraph_urls: dict[str, str], client: aiohttp.ClientSession
) -> None:
    port = unused_loopback_port()
    urls = {**subgraph_urls, "inventory": f"http://127.0.0.1:{port}/graphql"}
    inventory: LoopbackServer | None = None
    try:
        async with serving_router(urls, CONFIG) as router:
            status, body = await _get(client, f"{router.base_url}/ready")
            health_status, health = await _get(client, f"{router.base_url}/health")
            inventory = await serve_on_socket(subgraph_app("inventory"), bind_loopback_socket(port))
            ready_again = await _ready_until(client, router.base_url, 200)
    finally:
        if inventory is not None:
            await inventory.stop()

    assert status == 503
    assert body["status"] == "fail"
    assert list(body["subgraphs"]) == ["inventory"]
    assert body["subgraphs"]["inventory"]["reason"].startswith(
        f"cannot connect to 127.0.0.1:{port}"
    )
    assert (health_status, health["status"]) == (200, "warn")  # liveness: the router is up
    assert ready_again == {"status": "pass"}


async def test_one_instance_out_keeps_it_ready_every_instance_out_does_not(
    subgraph_urls: dict[str, str], client: aiohttp.ClientSession
) -> None:
    instances: list[RunningInstance] = [await start_instance("a"), await start_instance("b")]
    urls: dict[str, Any] = {**subgraph_urls, "reviews": [i.url for i in instances]}
    try:
        async with serving_router(urls, CONFIG) as router:
            await instances[0].stop()
            one_out = await _reviews_instances_out_once(client, router.base_url, 1)
            one_out_status, _ = await _get(client, f"{router.base_url}/ready")
            await instances[1].stop()
            every_out = await _ready_until(client, router.base_url, 503)
            await instances[1].restart()
            back = await _ready_until(client, router.base_url, 200)
    finally:
        for instance in instances:
            await instance.stop()

    assert one_out == 1
    assert one_out_status == 200
    assert list(every_out["subgraphs"]) == ["reviews"]
    reason = every_out["subgraphs"]["reviews"]["reason"]
    assert reason.startswith("every instance is out")
    assert all(instance.url in reason for instance in instances)
    assert back == {"status": "pass"}
