"""Compound, multiple and nested keys, `resolvable: false` references, and entity batches with a
missing and a failing entity: our router answers like @apollo/gateway
(tests/fixtures/features/keys)."""

from collections.abc import AsyncIterator

import pytest

from tests.fixtures.features.harness import (
    DifferentialGateways,
    assert_no_more_requests,
    assert_same_answers,
    error_key,
    start_differential_gateways,
)
from tests.fixtures.features.keys.subgraphs import BROKEN_MESSAGE, GRAPH

pytestmark = pytest.mark.npm

CASES = {
    "compound_key_products_batch_with_missing_and_failing_entity": """
        { products { id sku upc name stock } }
    """,
    "non_null_field_of_missing_entity_bubbles": "{ products { upc warehouse } }",
    "hop_through_the_subgraph_that_translates_compound_key_to_upc": """
        { reviews { id body product { id sku name stock } } }
    """,
    "hop_with_failing_entity_under_nullable_parent": """
        { reviews { id product { upc warehouse } } }
    """,
    "nested_key_fields_resolvable_false_reference": """
        { reviews { id author { id name organization { id name } } } }
    """,
    "references_nobody_can_resolve": """
        { reviews(includeGhost: true) { id author { name } product { name stock } } }
    """,
    "second_key_from_stock_root": "{ restock { upc id sku name stock } }",
    "nested_key_from_owner_root": "{ users { id name organization { id name } } }",
    "key_fields_only_need_no_fetch": "{ reviews { product { id sku } author { id } } }",
}
EXPECTED_ERRORS = {
    "compound_key_products_batch_with_missing_and_failing_entity",
    "non_null_field_of_missing_entity_bubbles",
    "hop_with_failing_entity_under_nullable_parent",
    "hop_through_the_subgraph_that_translates_compound_key_to_upc",
    "references_nobody_can_resolve",
}

# When _entities answers null without an error, a non-null field of that entity is null, so the
# GraphQL spec (6.4.4, "Handling Field Errors") requires a field error where it is nulled.
# @apollo/gateway bubbles the null silently; our router reports it. Ours has these errors too.
SPEC_REQUIRED_NULL_ERRORS = {
    "non_null_field_of_missing_entity_bubbles": [
        (
            "Cannot return null for non-nullable field Product.warehouse.",
            ["products", 2, "warehouse"],
        )
    ],
    "hop_with_failing_entity_under_nullable_parent": [
        (
            "Cannot return null for non-nullable field Product.warehouse.",
            ["reviews", 2, "product", "warehouse"],
        )
    ],
    "references_nobody_can_resolve": [
        ("Cannot return null for non-nullable field User.name.", ["reviews", 4, "author", "name"]),
        (
            "Cannot return null for non-nullable field Product.name.",
            ["reviews", 4, "product", "name"],
        ),
    ],
}


@pytest.fixture(scope="module")
async def gateways(npm_tools: None) -> AsyncIterator[DifferentialGateways]:
    started = await start_differential_gateways(GRAPH)
    yield started
    await started.stop()


@pytest.mark.parametrize("case", sorted(CASES))
async def test_keys_match_apollo_gateway(gateways: DifferentialGateways, case: str) -> None:
    ours, reference = await gateways.both(CASES[case])

    assert ("errors" in reference.body) == (case in EXPECTED_ERRORS), reference.body
    spec_errors = [
        error_key(message, path) for message, path in SPEC_REQUIRED_NULL_ERRORS.get(case, [])
    ]
    assert_same_answers(ours, reference, ours_also=spec_errors)
    assert_no_more_requests(ours, reference)


async def test_failing_entity_error_names_its_subgraph(gateways: DifferentialGateways) -> None:
    ours = await gateways.ours(CASES["compound_key_products_batch_with_missing_and_failing_entity"])

    assert ours.data["products"][2] == {
        "id": "2",
        "sku": "A",
        "upc": "u-missing",
        "name": "Table",
        "stock": None,
    }
    [error] = [e for e in ours.body["errors"] if e["message"] == BROKEN_MESSAGE]
    assert error["extensions"]["serviceName"] == "stock"
