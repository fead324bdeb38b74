"""`@requires` (nested, on a field with arguments, chained), `@provides` and `@shareable`: our
router answers like @apollo/gateway and sends no subgraph more requests
(tests/fixtures/features/requires)."""

from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.fixtures.features.harness import (
    DifferentialGateways,
    assert_no_more_requests,
    assert_same_answers,
    start_differential_gateways,
)
from tests.fixtures.features.requires.subgraphs import GRAPH

pytestmark = pytest.mark.npm

CASES = {
    "requires_simple": "{ products { id name shippingEstimate } }",
    "requires_nested_selection": "{ products { id packaging dimensions { height } } }",
    "requires_on_field_with_arguments": """
        query ($zone: String!) {
            products { id eu: shippingCost(zone: "EU") other: shippingCost(zone: $zone) }
        }
    """,
    "requires_chain_from_owner_root": "{ products { id deliveryNote } }",
    "requires_on_a_circular_path_back_to_the_first_subgraph": """
        { products { id insuredValue } reviews { body product { name insuredValue } } }
    """,
    "requires_chain_from_reviews_root": """
        { reviews { id product { id deliveryNote shippingEstimate } } }
    """,
    "requires_field_of_the_subgraph_already_holding_the_parent": """
        { reviews { id product { deliveryNote } } }
    """,
    "provides_skips_the_owner_fetch": "{ reviews { body product { id name } } }",
    "provides_then_fetch_for_the_rest": "{ reviews { product { name weight packaging } } }",
    "shareable_field_beside_a_required_one": "{ products { sku shippingEstimate } }",
    "shareable_field_across_a_hop": """
        { reviews { product { sku shippingEstimate deliveryNote } } }
    """,
    "shareable_root_field": '{ product(id: "p2") { id sku packaging name } }',
    "shareable_root_field_only_shared_fields": '{ product(id: "p1") { id sku } }',
    "shareable_root_field_then_required_field": """
        { product(id: "p1") { shippingEstimate shippingCost(zone: "EU") } }
    """,
    "requires_with_variable_argument_in_a_nested_list": """
        query ($zone: String!) { reviews { product { name cost: shippingCost(zone: $zone) } } }
    """,
    "required_field_also_selected_by_the_client": """
        { products { weight price shippingEstimate shippingCost(zone: "EU") } }
    """,
    "nested_requires_under_reviews_list": """
        { products { id reviews { id product { name packaging } } } }
    """,
}
VARIABLES: dict[str, dict[str, Any]] = {
    "requires_on_field_with_arguments": {"zone": "US"},
    "requires_with_variable_argument_in_a_nested_list": {"zone": "EU"},
}
# Requests per subgraph @apollo/gateway makes (ours may not make more: assert_no_more_requests).
REFERENCE_COUNTS = {
    "provides_skips_the_owner_fetch": {"reviews": 1},
    "shareable_root_field_only_shared_fields": {"products": 1},
}


@pytest.fixture(scope="module")
async def gateways(npm_tools: None) -> AsyncIterator[DifferentialGateways]:
    started = await start_differential_gateways(GRAPH)
    yield started
    await started.stop()


@pytest.mark.parametrize("case", sorted(CASES))
async def test_requires_and_provides_match_apollo_gateway(
    gateways: DifferentialGateways, case: str
) -> None:
    ours, reference = await gateways.both(CASES[case], VARIABLES.get(case))

    assert reference.status == 200 and "errors" not in reference.body, reference.body
    assert_same_answers(ours, reference)
    assert_no_more_requests(ours, reference)
    if case in REFERENCE_COUNTS:
        assert reference.counts() == ours.counts() == REFERENCE_COUNTS[case]


async def test_alias_reusing_required_field_names_still_sends_the_real_values(
    gateways: DifferentialGateways,
) -> None:
    """The client aliases `name` as `weight` and `shippingEstimate` as `price`; the representation
    for shipping must still carry the real `weight` (and `dimensions`). @apollo/gateway is wrong
    here: it sends `"weight": "Kettle"` (the aliased name) in the representation, so shipping
    fails with "Int cannot represent non-integer value"; the specification decides, so the
    expected data is written out."""
    ours = await gateways.ours(
        "{ products { weight: name price: shippingEstimate dims: packaging } }"
    )

    assert ours.body == {
        "data": {
            "products": [
                {"weight": "Kettle", "price": 6, "dims": "box-S"},
                {"weight": "Anvil", "price": 300, "dims": "box-L"},
                {"weight": "Feather", "price": None, "dims": "envelope"},
            ]
        }
    }
