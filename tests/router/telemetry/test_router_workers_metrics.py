"""``ehb router --workers 2``: whichever worker answers a scrape, ``/metrics`` adds up the
requests of both (prometheus-client's multiprocess mode, set up before the fork)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import aiohttp
from prometheus_client.parser import text_string_to_metric_families

from tests.router.http.router_process import running_router
from tests.router.telemetry.router_servers import SUPERGRAPH_SDL, TOP_PRODUCTS, Subgraphs

REQUESTS = 24


def top_products_requests(text: str) -> float:
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if (
                sample.name == "ehb_router_requests_total"
                and sample.labels.get("operation") == "TopProducts"
            ):
                return sample.value
    return 0.0


async def test_every_scrape_counts_the_requests_of_every_worker(
    subgraphs: Subgraphs, tmp_path: Path
) -> None:
    supergraph = tmp_path / "supergraph.graphql"
    supergraph.write_text(SUPERGRAPH_SDL)
    overrides = [
        arg for name, url in subgraphs.urls.items() for arg in ("--subgraph-url", f"{name}={url}")
    ]
    async with (
        running_router(
            "--supergraph", str(supergraph), "--workers", "2", *overrides, log_path=tmp_path / "log"
        ) as router,
        # A new connection per request: the workers share the listening socket and each
        # accepts some of them.
        aiohttp.ClientSession(connector=aiohttp.TCPConnector(force_close=True)) as client,
    ):

        async def query() -> None:
            async with client.post(router.graphql_url, json={"query": TOP_PRODUCTS}) as response:
                assert "errors" not in await response.json()

        await asyncio.gather(*(query() for _ in range(REQUESTS)))
        scrapes = []
        for _ in range(6):
            async with client.get(f"http://127.0.0.1:{router.port}/metrics") as response:
                assert response.status == 200
                scrapes.append(top_products_requests(await response.text()))

    assert scrapes == [REQUESTS] * 6
