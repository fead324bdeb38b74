"""`@interfaceObject`: an entity interface owned by one subgraph and extended by two others (one
with `@requires`, one reached indirectly through `Invoice.account`), with the `__typename` hop.
Our router answers like @apollo/gateway and like the oracle, and sends no subgraph more requests
(tests/fixtures/features/interface_objects)."""

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
from tests.fixtures.features.interface_objects.subgraphs import GRAPH

pytestmark = pytest.mark.npm

CASES: dict[str, str] = {
    "entity_interface_list_with_every_extension": """
        { accounts { __typename id name balance greeting standing
            ... on User { email } ... on Admin { level } } }
    """,
    "typename_hop_from_an_interface_object_list": "{ topPayers { __typename id balance } }",
    "type_conditions_from_an_interface_object_list": """
        { topPayers { id plan { name monthlyFee }
            ... on Admin { level name } ... on User { email } } }
    """,
    "interface_object_fields_only_need_no_typename_hop": """
        { topPayers { id balance plan { name } logins { device } } }
    """,
    "requires_on_fields_of_the_owner_and_of_another_interface_object": """
        { recentlyActive { id standing greeting logins { device sequence } } }
    """,
    "indirect_extension_through_a_type_reaching_the_interface_object": """
        { invoices { id amount account { id name balance ... on User { email } } } }
    """,
    "typename_only_through_the_indirect_path": "{ invoices { account { __typename } } }",
    "unknown_id_and_null_interface_object_values": """
        { account(id: "nope") { id balance }
          known: account(id: "u2") { __typename balance standing plan { name } } }
    """,
    "named_fragment_on_the_interface_from_interface_object_roots": """
        { recentlyActive { ...Who } topPayers { ...Who standing } }
        fragment Who on Account { __typename name ... on User { email } ... on Admin { level } }
    """,
    "requires_under_type_conditions": """
        { accounts { ... on Admin { level standing } ... on User { greeting plan { name } } } }
    """,
    "aliases_reusing_required_field_names_with_a_variable": """
        query ($id: ID!) { account(id: $id) { kind: __typename id name: greeting balance: id } }
    """,
}
VARIABLES: dict[str, dict[str, Any]] = {
    "aliases_reusing_required_field_names_with_a_variable": {"id": "a1"},
}
# Requests per subgraph @apollo/gateway makes (ours may not make more: assert_no_more_requests).
REFERENCE_COUNTS = {
    "interface_object_fields_only_need_no_typename_hop": {"billing": 1, "activity": 1},
    "typename_hop_from_an_interface_object_list": {"billing": 1, "accounts": 1},
}


@pytest.fixture(scope="module")
async def gateways(npm_tools: None) -> AsyncIterator[DifferentialGateways]:
    started = await start_differential_gateways(GRAPH)
    yield started
    await started.stop()


@pytest.mark.parametrize("case", sorted(CASES))
async def test_interface_objects_match_apollo_gateway_and_the_oracle(
    gateways: DifferentialGateways, case: str
) -> None:
    query, variables = CASES[case], VARIABLES.get(case)
    ours, reference = await gateways.both(query, variables)

    assert reference.status == 200 and "errors" not in reference.body, reference.body
    assert_same_answers(ours, reference)
    await assert_same_as_oracle(GRAPH, ours, query, variables)
    assert_no_more_requests(ours, reference)
    if case in REFERENCE_COUNTS:
        assert reference.counts() == ours.counts() == REFERENCE_COUNTS[case]
