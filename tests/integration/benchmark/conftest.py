from collections.abc import AsyncIterator

import aiohttp
import pytest

# The shared test fixtures live in tests/fixtures/ and are imported as `tests.fixtures...`.
from tests.fixtures.benchmark.loopback import LoopbackServer
from tests.fixtures.benchmark.subgraph_servers import (
    graphql_urls,
    start_benchmark_subgraphs,
)
from tests.integration.benchmark.reference_gateway import (
    start_apollo_gateway,
    stop_process,
)
from tests.integration.benchmark.router_server import SUPERGRAPH_PATH, start_router


@pytest.fixture(scope="session")
async def benchmark_subgraphs() -> AsyncIterator[dict[str, LoopbackServer]]:
    servers = await start_benchmark_subgraphs()
    yield servers
    for server in servers.values():
        await server.stop()


@pytest.fixture(scope="session")
def subgraph_urls(benchmark_subgraphs: dict[str, LoopbackServer]) -> dict[str, str]:
    return graphql_urls(benchmark_subgraphs)


@pytest.fixture(scope="session")
async def router_url(subgraph_urls: dict[str, str]) -> AsyncIterator[str]:
    server = await start_router(subgraph_urls)
    yield server.graphql_url
    await server.stop()


@pytest.fixture(scope="session")
async def apollo_gateway_url(npm_tools: None, subgraph_urls: dict[str, str]) -> AsyncIterator[str]:
    process, url = await start_apollo_gateway(SUPERGRAPH_PATH, subgraph_urls)
    yield url
    await stop_process(process)


@pytest.fixture
async def client() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session
