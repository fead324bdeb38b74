"""`@shareable` root fields and entities resolvable by two subgraphs (one fetch, never two),
a value type shared by three subgraphs, and `@provides` (nested, on an interface field, on a union
field) over `@external` fields: our router answers like @apollo/gateway and like the oracle, sends
no subgraph more requests, and skips the fetches that provided fields make unnecessary
(tests/fixtures/features/shareable)."""

from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.fixtures.features.harness import (
    DifferentialGateways,
    assert_no_more_requests,
    assert_same_answers,
    assert_same_as_oracle,
    start_differential_gateways,
)
from tests.fixtures.features.shareable.subgraphs import GRAPH

pytestmark = pytest.mark.npm

CASES: dict[str, str] = {
    "shareable_root_field_with_shared_fields_only": "{ products { id name } }",
    "shareable_root_field_from_the_subgraph_with_every_field": """
        { products { name stock shippingFee { amount currency } } }
    """,
    "shareable_root_field_from_the_other_subgraph": "{ products { id name price { amount } } }",
    "shareable_root_field_needing_both_subgraphs": """
        { product(id: "p2") { name price { amount currency } stock shippingFee { amount } } }
    """,
    "shareable_root_field_with_an_unknown_id": """
        { product(id: "nope") { name stock } known: product(id: "p3") { id name } }
    """,
    "provides_skips_the_owner_fetch": "{ reviews { body product { id name } } }",
    "nested_provides_skips_both_owner_fetches": """
        { reviews { product { name vendor { id name } } } }
    """,
    "nested_provides_then_a_fetch_for_the_rest": """
        { reviews { product { name stock vendor { name since } } } }
    """,
    "provides_on_an_interface_field": """
        { reviews { author { __typename id
            ... on Critic { name outlet } ... on Customer { handle } } } }
    """,
    "interface_field_provided_for_one_implementation_only": "{ reviews { author { name } } }",
    "provides_on_an_interface_field_then_a_fetch_for_the_rest": """
        { reviews { author { name ... on Customer { handle memberSince } } } }
    """,
    "provides_on_a_union_field": """
        { reviews { about { __typename ... on Product { id name } ... on Vendor { id name } } } }
    """,
    "provides_on_a_union_field_then_a_fetch_for_the_rest": """
        { reviews { about { ... on Product { name stock } ... on Vendor { name since } } } }
    """,
    "value_type_from_three_subgraphs": """
        { reviews { bounty { amount currency }
            product { price { amount currency } shippingFee { currency } } } }
    """,
    "shareable_entity_reached_from_reviews_and_back": """
        { products { id reviews { body author { name } product { name stock } } } }
    """,
}
VARIABLES: dict[str, dict[str, Any]] = {}
# Requests per subgraph our router makes: one fetch per needed subgraph, none for provided fields
# (and never more than @apollo/gateway: assert_no_more_requests).
EXPECTED_COUNTS: dict[str, dict[str, int]] = {
    "shareable_root_field_from_the_subgraph_with_every_field": {"inventory": 1},
    "shareable_root_field_from_the_other_subgraph": {"catalog": 1},
    "provides_skips_the_owner_fetch": {"reviews": 1},
    "nested_provides_skips_both_owner_fetches": {"reviews": 1},
    "nested_provides_then_a_fetch_for_the_rest": {"reviews": 1, "inventory": 1, "catalog": 1},
    "provides_on_an_interface_field": {"reviews": 1},
    "provides_on_an_interface_field_then_a_fetch_for_the_rest": {"reviews": 1, "people": 1},
    "provides_on_a_union_field": {"reviews": 1},
}
# `Author.name` is provided by `Review.author` only `... on Critic`: for a Customer, reviews
# cannot resolve it (its subgraph answers "" there) and the name must come from people.
# A shareable root field with only shared fields: one fetch from either subgraph.
ONE_FETCH = {
    "shareable_root_field_with_shared_fields_only",
    "shareable_root_field_with_an_unknown_id",
}


@pytest.fixture(scope="module")
async def gateways(npm_tools: None) -> AsyncIterator[DifferentialGateways]:
    started = await start_differential_gateways(GRAPH)
    yield started
    await started.stop()


@pytest.mark.parametrize("case", sorted(CASES))
async def test_shareable_and_provides_match_apollo_gateway_and_the_oracle(
    gateways: DifferentialGateways, case: str
) -> None:
    query, variables = CASES[case], VARIABLES.get(case)
    ours, reference = await gateways.both(query, variables)

    assert reference.status == 200 and "errors" not in reference.body, reference.body
    assert_same_answers(ours, reference)
    await assert_same_as_oracle(GRAPH, ours, query, variables)
    assert_no_more_requests(ours, reference)
    if case in EXPECTED_COUNTS:
        assert ours.counts() == EXPECTED_COUNTS[case]
    if case in ONE_FETCH:
        assert len(ours.requests) == 1, ours.order()
