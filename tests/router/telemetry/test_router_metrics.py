"""``GET /metrics`` on a real router over real subgraphs: requests, errors and latency per
operation, fetches per subgraph, plan cache hits, bounded operation labels."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

import aiohttp
from prometheus_client.parser import text_string_to_metric_families

from router.config import RouterConfig
from tests.fixtures.benchmark.loopback import start_loopback_server, unused_loopback_port
from tests.router.telemetry.router_servers import TOP_PRODUCTS, Subgraphs, post_query, router_app

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


async def scrape(client: aiohttp.ClientSession, base_url: str) -> Samples:
    async with client.get(f"{base_url}/metrics") as response:
        assert response.status == 200
        assert response.headers["content-type"].startswith("text/plain")
        text = await response.text()
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def by_label(samples: Samples, name: str, label: str) -> Mapping[str, float]:
    return {
        dict(labels)[label]: count for (sample, labels), count in samples.items() if sample == name
    }


async def test_requests_fetches_and_plans_are_counted(
    subgraphs: Subgraphs, client: aiohttp.ClientSession
) -> None:
    server = await start_loopback_server(router_app(subgraphs.urls, RouterConfig()))
    url = server.graphql_url
    try:
        for _ in range(3):
            assert "errors" not in await post_query(client, url, TOP_PRODUCTS)
        assert "errors" not in await post_query(client, url, "{ topProducts { name } }")
        assert "errors" in await post_query(client, url, "query Broken { nosuch }")
        samples = await scrape(client, server.base_url)
    finally:
        await server.stop()

    top = {"operation": "TopProducts", "operation_type": "query"}
    assert value(samples, "ehb_router_requests_total", **top) == 3
    assert value(samples, "ehb_router_request_errors_total", **top) == 0
    assert value(samples, "ehb_router_request_duration_seconds_count", **top) == 3
    assert value(samples, "ehb_router_request_duration_seconds_sum", **top) > 0
    anonymous = {"operation": "anonymous", "operation_type": "query"}
    assert value(samples, "ehb_router_requests_total", **anonymous) == 1
    # Refused before planning: the operation's type is not known.
    refused = {"operation": "anonymous", "operation_type": "unknown"}
    assert value(samples, "ehb_router_requests_total", **refused) == 1
    assert value(samples, "ehb_router_request_errors_total", **refused) == 1

    fetches = by_label(samples, "ehb_router_subgraph_fetches_total", "subgraph")
    assert fetches == {"products": 4, "inventory": 3}
    fetch_count = by_label(samples, "ehb_router_subgraph_fetch_duration_seconds_count", "subgraph")
    assert fetch_count == fetches
    assert value(samples, "ehb_router_plan_cache_misses_total") == 2


async def test_an_unavailable_subgraph_counts_as_a_fetch_error(
    subgraphs: Subgraphs, client: aiohttp.ClientSession
) -> None:
    urls = {**subgraphs.urls, "inventory": f"http://127.0.0.1:{unused_loopback_port()}/graphql"}
    server = await start_loopback_server(router_app(urls, RouterConfig()))
    try:
        body = await post_query(client, server.graphql_url, TOP_PRODUCTS)
        samples = await scrape(client, server.base_url)
    finally:
        await server.stop()

    assert "errors" in body  # a partial result: the products without inStock
    failed = {"subgraph": "inventory", "reason": "unavailable"}
    assert value(samples, "ehb_router_subgraph_fetch_errors_total", **failed) == 1
    assert value(samples, "ehb_router_subgraph_fetches_total", subgraph="products") == 1
    top = {"operation": "TopProducts", "operation_type": "query"}
    assert value(samples, "ehb_router_request_errors_total", **top) == 1


async def test_operation_labels_stay_bounded(
    subgraphs: Subgraphs, client: aiohttp.ClientSession
) -> None:
    server = await start_loopback_server(
        router_app(subgraphs.urls, RouterConfig(metrics_max_operations=2))
    )
    try:
        for name in ("First", "Second", "Third", "Fourth", "First"):
            await post_query(
                client, server.graphql_url, f"query {name} {{ topProducts {{ name }} }}"
            )
        samples = await scrape(client, server.base_url)
    finally:
        await server.stop()

    counts = by_label(samples, "ehb_router_requests_total", "operation")
    assert counts == {"First": 2, "Second": 1, "other": 2}


async def test_metrics_can_be_switched_off(
    subgraphs: Subgraphs, client: aiohttp.ClientSession
) -> None:
    server = await start_loopback_server(router_app(subgraphs.urls, RouterConfig(metrics=False)))
    try:
        assert "errors" not in await post_query(client, server.graphql_url, TOP_PRODUCTS)
        async with client.get(f"{server.base_url}/metrics") as response:
            status, body = response.status, await response.json()
    finally:
        await server.stop()

    assert status == 404
    assert "EHB_ROUTER_METRICS" in body["error"]


async def test_open_websocket_connections_are_a_gauge(
    subgraphs: Subgraphs, client: aiohttp.ClientSession
) -> None:
    server = await start_loopback_server(router_app(subgraphs.urls, RouterConfig()))
    ws_url = server.graphql_url.replace("http://", "ws://")
    try:
        async with client.ws_connect(ws_url, protocols=("graphql-transport-ws",)) as ws:
            await ws.send_json({"type": "connection_init"})
            assert (await ws.receive_json())["type"] == "connection_ack"
            while_open = await scrape(client, server.base_url)
        after = await scrape(client, server.base_url)
        for _ in range(50):  # the server notices the close a moment later
            if value(after, "ehb_router_websocket_connections") == 0:
                break
            await asyncio.sleep(0.02)
            after = await scrape(client, server.base_url)
    finally:
        await server.stop()

    assert value(while_open, "ehb_router_websocket_connections") == 1
    assert value(after, "ehb_router_websocket_connections") == 0
