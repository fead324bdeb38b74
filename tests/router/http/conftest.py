import sys
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

# The shared test fixtures live in tests/fixtures/ and are imported as `tests.fixtures...`.
REPO_ROOT = str(Path(__file__).resolve().parents[3])
if REPO_ROOT not in sys.path:
    sys.path.insert(0, REPO_ROOT)

from router.config import RouterConfig  # noqa: E402
from tests.fixtures.benchmark.loopback import (  # noqa: E402
    LoopbackServer,
    start_loopback_server,
    unused_loopback_port,
)
from tests.fixtures.benchmark.subgraph_servers import (  # noqa: E402
    graphql_urls,
    start_benchmark_subgraphs,
    subgraph_app,
)
from tests.router.http.pipeline_app import (  # noqa: E402
    DOWN_SUBGRAPH,
    MAX_REQUEST_BYTES,
    pipeline_app,
)


@pytest.fixture(scope="module")
async def accounts_subgraph() -> AsyncIterator[LoopbackServer]:
    server = await start_loopback_server(subgraph_app("accounts"))
    yield server
    await server.stop()


@pytest.fixture(scope="module")
async def router_url(accounts_subgraph: LoopbackServer) -> AsyncIterator[str]:
    urls = {
        "accounts": accounts_subgraph.graphql_url,
        DOWN_SUBGRAPH: f"http://127.0.0.1:{unused_loopback_port()}/graphql",
    }
    config = RouterConfig(max_request_bytes=MAX_REQUEST_BYTES, health_probe_timeout_seconds=1.0)
    server = await start_loopback_server(pipeline_app(urls, config))
    yield server.base_url
    await server.stop()


@pytest.fixture(scope="module")
async def subgraph_urls() -> AsyncIterator[dict[str, str]]:
    """The benchmark subgraphs, served for one test module."""
    servers = await start_benchmark_subgraphs()
    yield graphql_urls(servers)
    for server in servers.values():
        await server.stop()


@pytest.fixture
async def client() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session
