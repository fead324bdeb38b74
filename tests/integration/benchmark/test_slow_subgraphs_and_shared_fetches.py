"""A subgraph slower than its own timeout costs only its fields, quickly; identical fetches of
concurrent client requests share one subgraph request."""

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from router.config import RouterConfig
from tests.integration.benchmark.counting_subgraphs import start_counted_benchmark as _start
from tests.integration.benchmark.graphql_client import post_graphql

SLOW_INVENTORY_SECONDS = 1.0
INVENTORY_TIMEOUT_SECONDS = 0.2
QUERY = "{ topProducts(first: 2) { upc name inStock shippingEstimate } }"


@pytest.fixture
async def client() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def test_a_subgraph_slower_than_its_timeout_costs_only_its_fields(
    client: aiohttp.ClientSession,
) -> None:
    subgraphs, router, _ = await _start(
        {"inventory": SLOW_INVENTORY_SECONDS},
        RouterConfig(subgraph_timeouts={"inventory": INVENTORY_TIMEOUT_SECONDS}),
    )
    try:
        started = time.perf_counter()
        status, body = await post_graphql(client, router.graphql_url, QUERY)
        elapsed = time.perf_counter() - started
    finally:
        await router.stop()
        for server in subgraphs:
            await server.stop()

    assert status == 200
    assert elapsed < SLOW_INVENTORY_SECONDS
    assert body["data"] == {
        "topProducts": [
            {"upc": "1", "name": "Table", "inStock": None, "shippingEstimate": None},
            {"upc": "2", "name": "Couch", "inStock": None, "shippingEstimate": None},
        ]
    }
    timed_out = (
        {"code": "SUBGRAPH_UNAVAILABLE", "serviceName": "inventory"},
        f"subgraph 'inventory' is unavailable: no response within {INVENTORY_TIMEOUT_SECONDS}s",
    )
    assert [
        (error["extensions"], error["message"], error.get("path")) for error in body["errors"]
    ] == [(*timed_out, ["topProducts", 0]), (*timed_out, ["topProducts", 1])]


async def _concurrent_answers(url: str, copies: int) -> list[dict[str, Any]]:
    async with aiohttp.ClientSession() as session:
        answers = await asyncio.gather(*(post_graphql(session, url, QUERY) for _ in range(copies)))
    return [body for _, body in answers]


@pytest.mark.parametrize(("deduplicate", "products_requests"), [(True, 1), (False, 8)])
async def test_identical_fetches_of_concurrent_requests_share_one_subgraph_request(
    deduplicate: bool, products_requests: int
) -> None:
    subgraphs, router, counts = await _start(
        {"products": 0.1, "inventory": 0.1},
        # Fetches alone: concurrent client queries would otherwise share one execution.
        RouterConfig(deduplicate_subgraph_fetches=deduplicate, deduplicate_queries=False),
    )
    try:
        answers = await _concurrent_answers(router.graphql_url, 8)
    finally:
        await router.stop()
        for server in subgraphs:
            await server.stop()

    assert all(answer == answers[0] and "errors" not in answer for answer in answers)
    assert answers[0]["data"]["topProducts"][0]["shippingEstimate"] == 50
    assert counts["products"] == products_requests
    assert counts["inventory"] == products_requests
