"""`ehb router --subgraph-url reviews=URL1,URL2` as people run it: one reviews instance
SIGKILLed under load fails no client request, the router's /health shows it out, and it is
back in once it serves again."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import orjson
import pytest

from tests.fixtures.benchmark.data import FIXTURE_DIR
from tests.fixtures.benchmark.loopback import (
    LoopbackServer,
    start_loopback_server,
    unused_loopback_port,
)
from tests.fixtures.benchmark.subgraph_servers import subgraph_app
from tests.integration.failover.instances import InstanceProcess, start_instance_process
from tests.integration.failover.load import load_with_fault

EHB = str(Path(sys.executable).with_name("ehb"))
READY_TIMEOUT_SECONDS = 30.0
CHECK_ENVIRONMENT = {
    "EHB_ROUTER_INSTANCE_CHECK_INTERVAL": "0.2",
    "EHB_ROUTER_INSTANCE_CHECK_TIMEOUT": "0.5",
}


@dataclass
class RunningRouter:
    base_url: str
    reviews: list[InstanceProcess]

    async def health(self) -> dict[str, Any]:
        async with (
            aiohttp.ClientSession() as client,
            client.get(f"{self.base_url}/health") as response,
        ):
            body: dict[str, Any] = orjson.loads(await response.read())
            return body

    async def review_instances(self) -> list[str]:
        health = await self.health()
        return [i["status"] for i in health["subgraphs"]["reviews"]["instances"]]


@pytest.fixture
async def router() -> AsyncIterator[RunningRouter]:
    reviews = [await start_instance_process("reviews") for _ in range(2)]
    servers: list[LoopbackServer] = []
    process: asyncio.subprocess.Process | None = None
    try:
        for name in ("accounts", "inventory", "products"):
            servers.append(await start_loopback_server(subgraph_app(name)))
        urls = [
            f"{name}={server.graphql_url}"
            for name, server in zip(("accounts", "inventory", "products"), servers, strict=True)
        ]
        urls.append("reviews=" + ",".join(instance.graphql_url for instance in reviews))
        port = unused_loopback_port()
        process = await asyncio.create_subprocess_exec(
            EHB,
            "router",
            "--supergraph",
            str(FIXTURE_DIR / "supergraph.apollo.graphql"),
            "--port",
            str(port),
            *(arg for url in urls for arg in ("--subgraph-url", url)),
            env={**os.environ, **CHECK_ENVIRONMENT},
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )
        running = RunningRouter(f"http://127.0.0.1:{port}", reviews)
        await _wait_until_serving(running)
        yield running
    finally:
        if process is not None and process.returncode is None:
            process.terminate()
            await process.wait()
        for server in reversed(servers):
            await server.stop()
        for instance in reviews:  # a restarted instance replaces the killed one in the list
            await instance.stop()


async def _wait_until_serving(router: RunningRouter) -> None:
    async with asyncio.timeout(READY_TIMEOUT_SECONDS):
        while True:
            try:
                if await router.review_instances() == ["pass", "pass"]:
                    return
            except aiohttp.ClientConnectionError:
                pass
            await asyncio.sleep(0.1)


async def test_a_killed_instance_fails_no_request_and_is_back_once_it_serves_again(
    router: RunningRouter,
) -> None:
    victim, _ = router.reviews

    result = await load_with_fault(
        f"{router.base_url}/graphql",
        victim.kill,
        clients=10,
        seconds=2.5,
        fault_after_seconds=1.0,
    )

    assert result.failures == []
    assert result.answered > result.answered_before_fault > 0
    assert await router.review_instances() == ["fail", "pass"]

    await victim.stop()
    router.reviews[0] = await start_instance_process("reviews", victim.port)
    for _ in range(50):  # two passed checks 0.2 s apart put it back
        if await router.review_instances() == ["pass", "pass"]:
            break
        await asyncio.sleep(0.1)
    assert await router.review_instances() == ["pass", "pass"]
