"""Mutation fields of two subgraphs run serially in document order, each followed by its entity
fetches; variables at depth; @skip/@include on fragments that would cause entity fetches (the
skipped fetch never happens). Our router answers like @apollo/gateway
(tests/fixtures/features/mutations)."""

from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.fixtures.features.harness import (
    DifferentialGateways,
    assert_no_more_requests,
    assert_same_answers,
    start_differential_gateways,
)
from tests.fixtures.features.mutations.subgraphs import GRAPH

pytestmark = pytest.mark.npm

SERIAL_MUTATIONS = """
    mutation Flow($name: String!, $lines: [LineInput!]!) {
        first: createUser(input: {name: $name}) { id name seq orders { id } }
        order: placeOrder(input: {userId: "u3", lines: $lines}) {
            id seq lines { sku qty } buyer { id name orders { id seq } }
        }
        second: createUser(input: {name: "Dee"}) { id seq orders { id } }
        again: placeOrder(input: {userId: "u3", lines: [{sku: "X"}]}) {
            id seq buyer { name orders { id lines { qty } } }
        }
    }
"""
SERIAL_VARIABLES = {"name": "Cid", "lines": [{"sku": "Y", "qty": 2}, {"sku": "Z"}]}

CASES: dict[str, tuple[str, dict[str, Any] | None]] = {
    "serial_mutations_with_their_entity_fetches": (SERIAL_MUTATIONS, SERIAL_VARIABLES),
    "failing_mutation_field_then_the_next_still_runs": (
        """
        mutation {
            bad: createUser(input: {name: ""}) { id seq }
            order: placeOrder(input: {userId: "u2", lines: []}) { seq buyer { name seq } }
            good: createUser(input: {name: "Eve"}) { seq orders { id } }
        }
        """,
        None,
    ),
    "variables_at_depth": (
        """
        query Deep($status: OrderStatus!, $withLines: Boolean!, $minQty: Int = 2) {
            users { name orders(status: $status) {
                id lines(minQty: $minQty) @include(if: $withLines) { sku qty }
            } }
        }
        """,
        {"status": "OPEN", "withLines": True},
    ),
    "variables_at_depth_overriding_default": (
        """
        query Deep($status: OrderStatus, $minQty: Int = 2) {
            orders(status: $status) {
                id buyer { name orders(status: $status) { lines(minQty: $minQty) { sku } } }
            }
        }
        """,
        {"minQty": 4},
    ),
    "include_false_on_named_fragment_skips_the_entity_fetch": (
        """
        query ($withOrders: Boolean!) { users { id name ...UserOrders @include(if: $withOrders) } }
        fragment UserOrders on User { orders { id } }
        """,
        {"withOrders": False},
    ),
    "include_true_on_named_fragment": (
        """
        query ($withOrders: Boolean!) { users { id name ...UserOrders @include(if: $withOrders) } }
        fragment UserOrders on User { orders { id } }
        """,
        {"withOrders": True},
    ),
    "skip_on_inline_fragment_with_default_variable": (
        """
        query ($skip: Boolean = true) { users { name ... @skip(if: $skip) { orders { id } } } }
        """,
        None,
    ),
    "skip_on_nested_entity_field": (
        """
        query ($noBuyer: Boolean!) { orders { id buyer @skip(if: $noBuyer) { name } } }
        """,
        {"noBuyer": True},
    ),
    "skipped_copy_beside_an_included_copy": (
        """
        query ($skip: Boolean!) {
            users { id ... @skip(if: $skip) { orders { id seq } } orders { id } }
        }
        """,
        {"skip": True},
    ),
    "include_literal_false_on_fragment_in_mutation": (
        """
        mutation {
            createUser(input: {name: "Fay"}) {
                seq ... on User @include(if: false) { orders { id } }
            }
        }
        """,
        None,
    ),
    "adjacent_mutation_fields_of_one_subgraph": (
        """
        mutation {
            a: createUser(input: {name: "A"}) { seq }
            b: createUser(input: {name: "B"}) { seq orders { id } }
        }
        """,
        None,
    ),
    "skipped_mutation_field_never_runs": (
        """
        mutation ($skip: Boolean!) {
            a: createUser(input: {name: "A"}) @skip(if: $skip) { seq }
            o: placeOrder(input: {userId: "u2", lines: []}) { seq }
            b: createUser(input: {name: "B"}) { seq name }
        }
        """,
        {"skip": True},
    ),
    "variables_inside_an_entity_fetch_under_include": (
        """
        query ($status: OrderStatus!, $with: Boolean!, $min: Int!) {
            users {
                name orders(status: $status) @include(if: $with) { id lines(minQty: $min) { qty } }
            }
        }
        """,
        {"status": "SHIPPED", "with": True, "min": 1},
    ),
    "mutation_fields_in_a_root_fragment_with_typename": (
        """
        mutation ($name: String!) {
            __typename
            ...Steps
            last: createUser(input: {name: "Gus"}) { seq }
        }
        fragment Steps on Mutation {
            one: placeOrder(input: {userId: "u1", lines: [{sku: "Q", qty: 9}]}) {
                seq buyer { name orders(status: OPEN) { id } }
            }
            two: createUser(input: {name: $name}) { __typename seq }
        }
        """,
        {"name": "Hal"},
    ),
}
# Which subgraphs @apollo/gateway asks, in order: the skipped fetches never happen.
EXPECTED_ORDER = {
    "serial_mutations_with_their_entity_fetches": [
        "accounts",  # first: createUser
        "orders",  # first.orders
        "orders",  # order: placeOrder (with buyer.orders)
        "accounts",  # order.buyer.name
        "accounts",  # second: createUser
        "orders",  # second.orders
        "orders",  # again: placeOrder
        "accounts",  # again.buyer.name
    ],
    "adjacent_mutation_fields_of_one_subgraph": ["accounts", "orders"],
    "include_false_on_named_fragment_skips_the_entity_fetch": ["accounts"],
    "skipped_mutation_field_never_runs": ["orders", "accounts"],
    "include_true_on_named_fragment": ["accounts", "orders"],
    "skip_on_inline_fragment_with_default_variable": ["accounts"],
    "skip_on_nested_entity_field": ["orders"],
    "skipped_copy_beside_an_included_copy": ["accounts", "orders"],
    "include_literal_false_on_fragment_in_mutation": ["accounts"],
}


@pytest.fixture(scope="module")
async def gateways(npm_tools: None) -> AsyncIterator[DifferentialGateways]:
    started = await start_differential_gateways(GRAPH)
    yield started
    await started.stop()


@pytest.mark.parametrize("case", sorted(CASES))
async def test_mutations_and_variables_match_apollo_gateway(
    gateways: DifferentialGateways, case: str
) -> None:
    query, variables = CASES[case]
    ours, reference = await gateways.both(query, variables)

    assert reference.status == 200, reference.body
    assert ("errors" in reference.body) == case.startswith("failing"), reference.body
    assert_same_answers(ours, reference)
    assert_no_more_requests(ours, reference)
    if case in EXPECTED_ORDER:
        assert reference.order() == EXPECTED_ORDER[case]
        assert ours.order() == reference.order()


async def test_mutation_sequence_numbers_follow_document_order(
    gateways: DifferentialGateways,
) -> None:
    ours = await gateways.ours(SERIAL_MUTATIONS, SERIAL_VARIABLES)

    data = ours.data
    assert [data[field]["seq"] for field in ("first", "order", "second", "again")] == [1, 2, 3, 4]
    assert data["first"]["orders"] == []  # fetched before placeOrder ran
    assert data["order"]["buyer"]["orders"] == [{"id": "o4", "seq": 2}]
    assert [o["id"] for o in data["again"]["buyer"]["orders"]] == ["o4", "o5"]
