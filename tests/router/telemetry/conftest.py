"""Fixtures of the router telemetry tests: the benchmark subgraphs (module-wide), a client."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

from tests.fixtures.benchmark.loopback import start_loopback_server
from tests.fixtures.benchmark.subgraph_servers import BENCHMARK_SUBGRAPH_SCHEMAS, subgraph_app
from tests.router.telemetry.router_servers import Subgraphs, TraceparentRecorder


@pytest.fixture(scope="module")
async def subgraphs() -> AsyncIterator[Subgraphs]:
    recorders = {
        name: TraceparentRecorder(subgraph_app(name)) for name in BENCHMARK_SUBGRAPH_SCHEMAS
    }
    servers = {name: await start_loopback_server(app) for name, app in recorders.items()}
    yield Subgraphs(servers, recorders)
    for server in servers.values():
        await server.stop()


@pytest.fixture
async def client() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session
