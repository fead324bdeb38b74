"""A subgraph that stops answering costs only its own fields: partial data plus errors."""

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from tests.fixtures.benchmark.loopback import LoopbackServer, start_loopback_server
from tests.fixtures.benchmark.subgraph_servers import subgraph_app
from tests.integration.benchmark.graphql_client import post_graphql
from tests.integration.benchmark.router_server import start_router

QUERY = """
{
  users { id username reviews { id body } }
  topProducts(first: 2) { upc name inStock }
}
"""


@pytest.fixture(scope="module")
async def router_with_stopped_reviews(
    subgraph_urls: dict[str, str],
) -> AsyncIterator[str]:
    reviews: LoopbackServer = await start_loopback_server(subgraph_app("reviews"))
    router = await start_router({**subgraph_urls, "reviews": reviews.graphql_url})
    await reviews.stop()
    yield router.graphql_url
    await router.stop()


def _service_names(body: dict[str, Any]) -> set[str]:
    return {error.get("extensions", {}).get("serviceName") for error in body["errors"]}


async def test_fields_of_a_stopped_subgraph_are_null_with_errors_naming_it(
    client: aiohttp.ClientSession, router_with_stopped_reviews: str
) -> None:
    status, body = await post_graphql(client, router_with_stopped_reviews, QUERY)

    assert status == 200
    assert _service_names(body) == {"reviews"}
    users = body["data"]["users"]
    assert [user["username"] for user in users][:2] == ["urigo", "dotansimha"]
    assert all(user["reviews"] is None for user in users)
    assert body["data"]["topProducts"] == [
        {"upc": "1", "name": "Table", "inStock": True},
        {"upc": "2", "name": "Couch", "inStock": False},
    ]


async def test_a_root_field_of_a_stopped_subgraph_is_null_and_others_still_answer(
    client: aiohttp.ClientSession, subgraph_urls: dict[str, str]
) -> None:
    accounts = await start_loopback_server(subgraph_app("accounts"))
    router = await start_router({**subgraph_urls, "accounts": accounts.graphql_url})
    await accounts.stop()
    try:
        status, body = await post_graphql(
            client, router.graphql_url, "{ me { id } topProducts(first: 1) { upc } }"
        )
    finally:
        await router.stop()

    assert status == 200
    assert body["data"] == {"me": None, "topProducts": [{"upc": "1"}]}
    assert _service_names(body) == {"accounts"}
