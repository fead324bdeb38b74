"""Our router serving the benchmark supergraph in the test's event loop."""

from __future__ import annotations

from router.config import RouterConfig
from router.http.app import create_router_app
from tests.fixtures.benchmark.data import FIXTURE_DIR
from tests.fixtures.benchmark.loopback import LoopbackServer, start_loopback_server

SUPERGRAPH_PATH = FIXTURE_DIR / "supergraph.apollo.graphql"


async def start_router(subgraph_urls: dict[str, str]) -> LoopbackServer:
    app = create_router_app(
        SUPERGRAPH_PATH.read_text(),
        subgraph_urls=subgraph_urls,
        config=RouterConfig(health_probe_timeout_seconds=1.0),
    )
    return await start_loopback_server(app)
