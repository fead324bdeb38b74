"""Field errors raised inside a subgraph reach the client like @apollo/gateway passes them on:
same data (the failed field null), same messages at the same response paths."""

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from tests.fixtures.benchmark.loopback import start_loopback_server
from tests.integration.benchmark.failing_inventory import FAILURE_MESSAGE, failing_inventory_app
from tests.integration.benchmark.graphql_client import post_graphql
from tests.integration.benchmark.reference_gateway import start_apollo_gateway, stop_process
from tests.integration.benchmark.router_server import SUPERGRAPH_PATH, start_router

pytestmark = pytest.mark.npm

CASES = {
    "root_list": "{ topProducts(first: 3) { upc name inStock } }",
    "nested_entity_hops": """
        { topProducts(first: 3) { reviews { id product { upc inStock shippingEstimate } } } }
    """,
    "aliases": "{ topProducts(first: 2) { code: upc available: inStock } }",
}


@pytest.fixture(scope="module")
async def both_gateways(
    npm_tools: None, subgraph_urls: dict[str, str]
) -> AsyncIterator[tuple[str, str]]:
    inventory = await start_loopback_server(failing_inventory_app())
    urls = {**subgraph_urls, "inventory": inventory.graphql_url}
    router = await start_router(urls)
    process, apollo_url = await start_apollo_gateway(SUPERGRAPH_PATH, urls)
    yield router.graphql_url, apollo_url
    await stop_process(process)
    await router.stop()
    await inventory.stop()


def _messages_at_paths(body: dict[str, Any]) -> list[tuple[str, list[str | int]]]:
    return sorted((error["message"], error.get("path", [])) for error in body["errors"])


@pytest.mark.parametrize("case", sorted(CASES))
async def test_subgraph_field_errors_match_apollo_gateway(
    client: aiohttp.ClientSession, both_gateways: tuple[str, str], case: str
) -> None:
    router_url, apollo_url = both_gateways

    our_status, ours = await post_graphql(client, router_url, CASES[case])
    reference_status, reference = await post_graphql(client, apollo_url, CASES[case])

    assert reference_status == our_status == 200
    assert ours["data"] == reference["data"]
    assert _messages_at_paths(ours) == _messages_at_paths(reference)
    assert {error["message"] for error in ours["errors"]} == {FAILURE_MESSAGE}
    assert {error["extensions"]["serviceName"] for error in ours["errors"]} == {"inventory"}
