"""Production mode under a fault: two `ehb subgraph commerce` processes on one PostgreSQL
database behind the router, one SIGKILLed while clients read the catalogue without pause. No
client request fails and every answer is the catalogue."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import orjson
import pytest

from router.config import RouterConfig
from router.http.app import create_router_app
from router.instance_settings import InstanceSettings
from subgraphs.kernel.migrations import migrate_to_head_async
from subgraphs.kernel.seeding import seed_demo_data
from subgraphs.kernel.settings import Settings
from tests.conftest import CreatePostgresDatabase
from tests.fixtures.benchmark.loopback import LoopbackServer, start_loopback_server
from tests.integration.failover.load import load_with_fault

pytestmark = pytest.mark.postgres

REPO_ROOT = Path(__file__).resolve().parents[2]
SUPERGRAPH = (REPO_ROOT / "schema" / "supergraph.graphql").read_text()
CATALOGUE = "{ products(first: 20) { edges { node { id name price { amount currency } } } } }"
CHECKS = InstanceSettings(
    check_interval_seconds=0.2, check_timeout_seconds=0.5, unhealthy_after=2, healthy_after=2
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


Instance = tuple[asyncio.subprocess.Process, str]


async def _start_commerce(database_url: str, data_dir: Path) -> Instance:
    port = _free_port()
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "router.cli",
        "subgraph",
        "commerce",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        cwd=REPO_ROOT,
        env={
            **os.environ,
            "EHB_COMMERCE_DATABASE_URL": database_url,
            "EHB_DATA_DIR": str(data_dir),
            "EHB_OUTBOX_RELAY": "0",
        },
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    async with aiohttp.ClientSession() as session, asyncio.timeout(30):
        while True:
            if process.returncode is not None:
                raise RuntimeError(f"ehb subgraph commerce exited with {process.returncode}")
            try:
                async with session.get(f"{base}/ready") as response:
                    if response.status == 200:
                        return process, f"{base}/graphql"
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.1)


@pytest.fixture
async def commerce_instances(
    create_postgres_database: CreatePostgresDatabase, tmp_path: Path
) -> AsyncIterator[list[Instance]]:
    url = await create_postgres_database()
    await migrate_to_head_async("commerce", url)
    await seed_demo_data("commerce", Settings(data_dir=tmp_path, database_urls={"commerce": url}))
    instances: list[Instance] = []
    try:
        for _ in range(2):
            instances.append(await _start_commerce(url, tmp_path))
        yield instances
    finally:
        for process, _ in instances:
            if process.returncode is None:
                process.send_signal(signal.SIGKILL)
            await process.wait()


async def test_killing_one_of_two_postgres_backed_instances_fails_no_request(
    commerce_instances: list[Instance],
) -> None:
    router: LoopbackServer = await start_loopback_server(
        create_router_app(
            SUPERGRAPH,
            subgraph_urls={"commerce": [url for _, url in commerce_instances]},
            config=RouterConfig(instances=CHECKS, deduplicate_subgraph_fetches=False),
        )
    )
    try:
        async with (
            aiohttp.ClientSession() as client,
            client.post(router.graphql_url, json={"query": CATALOGUE}) as response,
        ):
            expected = orjson.loads(await response.read())["data"]
        assert len(expected["products"]["edges"]) > 0
        victim, _ = commerce_instances[0]

        result = await load_with_fault(
            router.graphql_url,
            lambda: victim.send_signal(signal.SIGKILL),
            clients=10,
            seconds=3.0,
            fault_after_seconds=1.0,
            query=CATALOGUE,
            expected=expected,
        )
    finally:
        await router.stop()

    assert result.failures == []
    assert result.answered_before_fault > 0
    assert result.answered > result.answered_before_fault
