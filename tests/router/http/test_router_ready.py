"""GET /ready (readiness) through the real router app and real subgraph servers: 200 while a
supergraph is loaded and the server is not shutting down, whatever state the subgraphs are in
(listed as the balancer sees them, never probed); 503 before a supergraph is loaded and once
shutting down. /health (liveness) keeps probing the subgraphs."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import aiohttp
import orjson
from starlette.applications import Starlette

from router.config import RouterConfig
from router.http.app import create_router_app
from router.http.routes import router_routes
from router.http.state import mark_shutting_down
from router.instance_settings import InstanceSettings
from tests.fixtures.benchmark.loopback import start_loopback_server, unused_loopback_port
from tests.router.http.edge_router import SUPERGRAPH_SDL, serving_router
from tests.router.transport.instance_servers import RunningInstance, start_instance

CONFIG = RouterConfig(
    health_probe_timeout_seconds=1.0,
    instances=InstanceSettings(
        check_interval_seconds=0.05, check_timeout_seconds=0.5, unhealthy_after=2, healthy_after=2
    ),
)


async def _get(client: aiohttp.ClientSession, url: str) -> tuple[int, dict[str, Any]]:
    async with client.get(url) as response:
        assert response.headers["cache-control"] == "no-store"
        return response.status, orjson.loads(await response.read())


def _instances(body: dict[str, Any], subgraph: str) -> list[dict[str, Any]]:
    listed: list[dict[str, Any]] = body["subgraphs"][subgraph]["instances"]
    return listed


async def _reviews_out_once(
    client: aiohttp.ClientSession, base_url: str, count: int, seconds: float = 5.0
) -> dict[str, Any]:
    """The /ready body once it shows ``count`` reviews instances out (checks take a few
    intervals)."""
    deadline = time.monotonic() + seconds
    while True:
        status, body = await _get(client, f"{base_url}/ready")
        assert status == 200, body
        out = [i for i in _instances(body, "reviews") if i["status"] == "fail"]
        if len(out) == count:
            return body
        if time.monotonic() > deadline:
            raise AssertionError(f"/ready still {body} after {seconds}s")
        await asyncio.sleep(0.05)


async def test_ready_lists_every_subgraph_s_instances(
    subgraph_urls: dict[str, str], client: aiohttp.ClientSession
) -> None:
    async with serving_router(subgraph_urls, CONFIG) as router:
        status, body = await _get(client, f"{router.base_url}/ready")

    assert (status, body["status"]) == (200, "pass")
    assert body["subgraphs"] == {
        name: {"instances": [{"url": url, "status": "unchecked"}]}
        for name, url in subgraph_urls.items()
    }


async def test_a_subgraph_whose_only_instance_is_down_keeps_it_ready(
    subgraph_urls: dict[str, str], client: aiohttp.ClientSession
) -> None:
    dead_url = f"http://127.0.0.1:{unused_loopback_port()}/graphql"
    async with serving_router({**subgraph_urls, "inventory": dead_url}, CONFIG) as router:
        status, body = await _get(client, f"{router.base_url}/ready")
        health_status, health = await _get(client, f"{router.base_url}/health")

    assert (status, body["status"]) == (200, "pass")
    # A lone instance is never taken out: the balancer has nothing to say about it.
    assert _instances(body, "inventory") == [{"url": dead_url, "status": "unchecked"}]
    assert (health_status, health["subgraphs"]["inventory"]["status"]) == (200, "fail")


async def test_every_instance_of_a_subgraph_out_keeps_it_ready_and_lists_them_out(
    subgraph_urls: dict[str, str], client: aiohttp.ClientSession
) -> None:
    instances: list[RunningInstance] = [await start_instance("a"), await start_instance("b")]
    urls: dict[str, Any] = {**subgraph_urls, "reviews": [i.url for i in instances]}
    try:
        async with serving_router(urls, CONFIG) as router:
            await instances[0].stop()
            one_out = await _reviews_out_once(client, router.base_url, 1)
            await instances[1].stop()
            every_out = await _reviews_out_once(client, router.base_url, 2)
            await instances[1].restart()
            back = await _reviews_out_once(client, router.base_url, 1)
    finally:
        for instance in instances:
            await instance.stop()

    assert one_out["status"] == every_out["status"] == back["status"] == "pass"
    listed = _instances(every_out, "reviews")
    assert [i["url"] for i in listed] == [i.url for i in instances]
    assert all(i["status"] == "fail" and i["reason"] for i in listed)
    assert [i["status"] for i in _instances(back, "reviews")] == ["fail", "pass"]


async def test_ready_sends_nothing_to_the_subgraphs(
    subgraph_urls: dict[str, str], client: aiohttp.ClientSession
) -> None:
    reviews = await start_instance("reviews")  # one instance: no active checks either
    try:
        async with serving_router({**subgraph_urls, "reviews": reviews.url}, CONFIG) as router:
            answers = [await _get(client, f"{router.base_url}/ready") for _ in range(5)]
            received_during_ready = (
                list(reviews.behaviour.queries),
                reviews.behaviour.health_checks,
            )
            await _get(client, f"{router.base_url}/health")
    finally:
        await reviews.stop()

    assert {status for status, _ in answers} == {200}
    assert received_during_ready == ([], 0)
    assert len(reviews.behaviour.queries) == 1  # /health's probe: the counting works


async def test_shutting_down_makes_it_503(
    subgraph_urls: dict[str, str], client: aiohttp.ClientSession
) -> None:
    app = create_router_app(SUPERGRAPH_SDL, subgraph_urls=subgraph_urls, config=CONFIG)
    router = await start_loopback_server(app)
    try:
        before = await _get(client, f"{router.base_url}/ready")
        mark_shutting_down(app)
        during = await _get(client, f"{router.base_url}/ready")
    finally:
        await router.stop()

    assert before[0] == 200
    assert during == (503, {"status": "fail", "reason": "shutting down"})


async def test_no_supergraph_loaded_makes_it_503(client: aiohttp.ClientSession) -> None:
    server = await start_loopback_server(Starlette(routes=router_routes()))  # no router lifespan
    try:
        answer = await _get(client, f"{server.base_url}/ready")
    finally:
        await server.stop()

    assert answer == (503, {"status": "fail", "reason": "no supergraph loaded yet"})
