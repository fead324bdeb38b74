"""Subgraph servers that count the POSTs they get and may answer them after a delay (so that
concurrent client requests overlap in the router)."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Mapping

from starlette.types import ASGIApp, Receive, Scope, Send

from router.config import RouterConfig
from router.http.app import create_router_app
from tests.fixtures.benchmark.loopback import LoopbackServer, start_loopback_server
from tests.fixtures.benchmark.subgraph_servers import BENCHMARK_SUBGRAPH_SCHEMAS, subgraph_app
from tests.integration.benchmark.router_server import SUPERGRAPH_PATH


class DelayedCountingApp:
    """Counts POSTs per subgraph and answers them after a delay."""

    def __init__(self, name: str, app: ASGIApp, delay: float, counts: Counter[str]) -> None:
        self.name, self.app, self.delay, self.counts = name, app, delay, counts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "POST":
            self.counts[self.name] += 1
            await asyncio.sleep(self.delay)
        await self.app(scope, receive, send)


async def start_counting_subgraphs(
    apps: Mapping[str, ASGIApp], delays: Mapping[str, float]
) -> tuple[dict[str, LoopbackServer], Counter[str]]:
    counts: Counter[str] = Counter()
    servers = {
        name: await start_loopback_server(
            DelayedCountingApp(name, app, delays.get(name, 0.0), counts)
        )
        for name, app in apps.items()
    }
    return servers, counts


async def start_counted_benchmark(
    delays: Mapping[str, float], config: RouterConfig
) -> tuple[list[LoopbackServer], LoopbackServer, Counter[str]]:
    """The four benchmark subgraphs (counting, delayed) and our router in front of them."""
    subgraphs, counts = await start_counting_subgraphs(
        {name: subgraph_app(name) for name in BENCHMARK_SUBGRAPH_SCHEMAS}, delays
    )
    app = create_router_app(
        SUPERGRAPH_PATH.read_text(),
        subgraph_urls={name: server.graphql_url for name, server in subgraphs.items()},
        config=config,
    )
    return list(subgraphs.values()), await start_loopback_server(app), counts
