"""The benchmark graph through our router alone (no Node needed): known answers from data.json."""

import aiohttp
import orjson

from tests.fixtures.benchmark.data import FIXTURE_DIR
from tests.integration.benchmark.graphql_client import post_graphql

BENCHMARK_QUERY = (FIXTURE_DIR / "query.graphql").read_text()


async def test_the_benchmark_query_is_answered_completely(
    client: aiohttp.ClientSession, router_url: str
) -> None:
    status, body = await post_graphql(client, router_url, BENCHMARK_QUERY)

    assert status == 200
    assert "errors" not in body
    data = body["data"]
    assert [user["username"] for user in data["users"]] == [
        "urigo",
        "dotansimha",
        "kamilkisiela",
        "ardatan",
        "gilgardosh",
        "laurin",
    ]
    assert [product["upc"] for product in data["topProducts"]] == ["1", "2", "3", "4", "5"]
    table, couch = data["topProducts"][0], data["topProducts"][1]
    # @requires(fields: "price weight"): 899 <= 1000, so weight 100 / 2; 1299 > 1000, so 0.
    assert table["shippingEstimate"] == 50
    assert couch["shippingEstimate"] == 0
    assert table["inStock"] is True
    # @provides(fields: "username"): every review author is user 1.
    author = data["users"][0]["reviews"][0]["product"]["reviews"][0]["author"]
    assert author == {
        "id": "1",
        "username": "urigo",
        "name": "Uri Goldshtein",
        "reviews": author["reviews"],
    }
    assert [review["id"] for review in data["users"][3]["reviews"]] == ["1", "2"]


async def test_a_get_query_is_answered(client: aiohttp.ClientSession, router_url: str) -> None:
    async with client.get(
        router_url,
        params={"query": "query($id: ID!) { user(id: $id) { name } }", "variables": '{"id":"3"}'},
        headers={"accept": "application/graphql-response+json", "apollo-require-preflight": "1"},
    ) as response:
        body = orjson.loads(await response.read())

    assert response.status == 200
    assert response.content_type == "application/graphql-response+json"
    assert body == {"data": {"user": {"name": "Kamil Kisiela"}}}


async def test_an_unknown_operation_name_is_answered_400(
    client: aiohttp.ClientSession, router_url: str
) -> None:
    status, body = await post_graphql(
        client, router_url, "query A { me { id } }", operation_name="B"
    )

    assert status == 400
    assert "data" not in body
    assert body["errors"][0]["message"]


async def test_health_passes_when_every_subgraph_answers(
    client: aiohttp.ClientSession, router_url: str
) -> None:
    async with client.get(router_url.replace("/graphql", "/health?strict=1")) as response:
        body = orjson.loads(await response.read())

    assert response.status == 200
    assert body["status"] == "pass"
    assert sorted(body["subgraphs"]) == ["accounts", "inventory", "products", "reviews"]
    assert all(report["status"] == "pass" for report in body["subgraphs"].values())
