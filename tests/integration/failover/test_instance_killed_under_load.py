"""Two instances of a subgraph behind the router, one SIGKILLed while 20 clients send queries
without pause: no client request fails and every answer is the right data."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import aiohttp
import orjson
import pytest

from router.config import RouterConfig
from router.http.app import create_router_app
from router.instance_settings import InstanceSettings
from tests.fixtures.benchmark.data import FIXTURE_DIR
from tests.fixtures.benchmark.loopback import LoopbackServer, start_loopback_server
from tests.fixtures.benchmark.subgraph_servers import subgraph_app
from tests.integration.failover.instances import InstanceProcess, start_instance_process
from tests.integration.failover.load import load_with_fault

CHECKS = InstanceSettings(
    check_interval_seconds=0.2, check_timeout_seconds=0.5, unhealthy_after=2, healthy_after=2
)


@dataclass
class Deployment:
    router: LoopbackServer
    reviews: list[InstanceProcess]


@pytest.fixture
async def deployment() -> AsyncIterator[Deployment]:
    reviews = [await start_instance_process("reviews") for _ in range(2)]
    servers: list[LoopbackServer] = []
    try:
        urls: dict[str, str | list[str]] = {}
        for name in ("accounts", "inventory", "products"):
            servers.append(await start_loopback_server(subgraph_app(name)))
            urls[name] = servers[-1].graphql_url
        urls["reviews"] = [instance.graphql_url for instance in reviews]
        router = await start_loopback_server(
            create_router_app(
                (FIXTURE_DIR / "supergraph.apollo.graphql").read_text(),
                subgraph_urls=urls,
                # Subgraph fetch deduplication off: every client request makes its own fetches.
                config=RouterConfig(instances=CHECKS, deduplicate_subgraph_fetches=False),
            )
        )
        servers.append(router)
        yield Deployment(router, reviews)
    finally:
        for server in reversed(servers):
            await server.stop()
        for instance in reviews:
            await instance.stop()


async def test_killing_one_of_two_instances_under_load_fails_no_request(
    deployment: Deployment,
) -> None:
    victim, survivor = deployment.reviews

    result = await load_with_fault(
        deployment.router.graphql_url,
        victim.kill,
        clients=20,
        seconds=3.0,
        fault_after_seconds=1.0,
    )

    assert result.failures == []
    assert result.answered_before_fault > 0
    assert result.answered > result.answered_before_fault  # the load went on after the kill
    async with (
        aiohttp.ClientSession() as client,
        client.get(f"{deployment.router.base_url}/health") as response,
    ):
        health = orjson.loads(await response.read())
    instances = health["subgraphs"]["reviews"]["instances"]
    assert [(i["url"], i["status"]) for i in instances] == [
        (victim.graphql_url, "fail"),
        (survivor.graphql_url, "pass"),
    ]
    assert health["status"] == "warn"
    assert [i["status"] for i in health["subgraphs"]["accounts"]["instances"]] == ["unchecked"]
