"""Our router and @apollo/gateway answer the same operations with the same data.

Both serve tests/fixtures/benchmark/supergraph.apollo.graphql over the same four subgraphs.
"""

from typing import Any

import aiohttp
import pytest

from tests.fixtures.benchmark.data import FIXTURE_DIR
from tests.integration.benchmark.graphql_client import post_graphql

pytestmark = pytest.mark.npm

BENCHMARK_QUERY = (FIXTURE_DIR / "query.graphql").read_text()

# name -> (document, variables)
SAME_DATA_CASES: dict[str, tuple[str, dict[str, Any] | None]] = {
    "fragments_and_aliases": (
        """
        query {
          first: topProducts(first: 2) { ...Price id: upc }
          me { handle: username fullName: name }
          again: topProducts(first: 1) { label: name ...Price }
        }
        fragment Price on Product { price cost: price }
        """,
        None,
    ),
    "variables_with_defaults": (
        """
        query Find($id: ID!, $count: Int = 3) {
          user(id: $id) { id name reviews { id body } }
          topProducts(first: $count) { upc inStock shippingEstimate }
        }
        """,
        {"id": "4"},
    ),
    "skip_and_include": (
        """
        query Toggle($withReviews: Boolean!, $hidePrice: Boolean!) {
          topProducts {
            upc
            price @skip(if: $hidePrice)
            weight @include(if: $hidePrice)
            reviews @include(if: $withReviews) { id author { username } }
            name @skip(if: true)
          }
        }
        """,
        {"withReviews": True, "hidePrice": False},
    ),
    "skip_an_entire_entity_hop": (
        """
        query Toggle($withReviews: Boolean!) {
          topProducts(first: 2) { upc reviews @include(if: $withReviews) { id } }
        }
        """,
        {"withReviews": False},
    ),
    "typename_everywhere": (
        """
        {
          __typename
          me { __typename id }
          topProducts(first: 2) {
            __typename
            reviews { __typename author { __typename id } product { __typename upc } }
          }
        }
        """,
        None,
    ),
    "inline_fragments": (
        """
        {
          me { ... on User { id ... { name } } }
          topProducts(first: 3) { ... on Product { upc shippingEstimate } }
        }
        """,
        None,
    ),
    "requires_and_provides_deep": (
        """
        {
          users {
            username
            reviews { author { username reviews { product { name shippingEstimate } } } }
          }
        }
        """,
        None,
    ),
    "missing_entity_is_null": ('{ user(id: "999") { id name } }', None),
    "introspection_of_a_type": (
        """
        {
          __type(name: "Product") {
            name
            kind
            fields { name args { name } type { name kind ofType { name kind } } }
          }
        }
        """,
        None,
    ),
    "schema_root_types": (
        "{ __schema { queryType { name } mutationType { name } subscriptionType { name } } }",
        None,
    ),
}


async def test_the_benchmark_query_gets_the_same_complete_answer(
    client: aiohttp.ClientSession, router_url: str, apollo_gateway_url: str
) -> None:
    ours = await post_graphql(client, router_url, BENCHMARK_QUERY)
    reference = await post_graphql(client, apollo_gateway_url, BENCHMARK_QUERY)

    assert reference[0] == 200
    assert "errors" not in reference[1]
    assert ours[0] == 200
    assert "errors" not in ours[1]
    assert ours[1]["data"] == reference[1]["data"]


@pytest.mark.parametrize("case", sorted(SAME_DATA_CASES))
async def test_an_operation_gets_the_same_data_as_from_apollo_gateway(
    client: aiohttp.ClientSession, router_url: str, apollo_gateway_url: str, case: str
) -> None:
    document, variables = SAME_DATA_CASES[case]

    our_status, ours = await post_graphql(client, router_url, document, variables)
    reference_status, reference = await post_graphql(
        client, apollo_gateway_url, document, variables
    )

    assert reference_status == 200, reference
    assert "errors" not in reference
    assert our_status == 200, ours
    assert ours == reference


@pytest.mark.parametrize(
    ("document", "variables", "code"),
    [
        ("{ topProducts { upc ", None, "GRAPHQL_PARSE_FAILED"),
        ("{ topProducts { upc color } }", None, "GRAPHQL_VALIDATION_FAILED"),
        ("query Q($id: ID!) { user(id: $id) { id } }", {}, "BAD_USER_INPUT"),
        ("query Q($n: Int) { topProducts(first: $n) { upc } }", {"n": "many"}, "BAD_USER_INPUT"),
    ],
)
async def test_a_bad_request_is_refused_like_apollo_gateway_does(
    client: aiohttp.ClientSession,
    router_url: str,
    apollo_gateway_url: str,
    document: str,
    variables: dict[str, Any] | None,
    code: str,
) -> None:
    our_status, ours = await post_graphql(client, router_url, document, variables)
    reference_status, reference = await post_graphql(
        client, apollo_gateway_url, document, variables
    )

    assert reference_status == 400
    assert [error["extensions"]["code"] for error in reference["errors"]] == [code]
    assert our_status == 400
    assert "data" not in ours
    assert [error["extensions"]["code"] for error in ours["errors"]] == [code]
