"""Fields whose type differs per subgraph (`@join__field(type:)`, tests/fixtures/features/
field_types): fields that share a response key but not a shape in one subgraph are aliased in
its operation and renamed back (root and entity fetches), and a root field one subgraph types
as `Dog` where the supergraph says `Animal` is planned for `Dog` there. Our router answers like
@apollo/gateway and like the oracle, and never sends more requests."""

from collections.abc import AsyncIterator

import pytest

from tests.fixtures.features.field_types.subgraphs import GRAPH
from tests.fixtures.features.harness import (
    DifferentialGateways,
    assert_no_more_requests,
    assert_same_answers,
    assert_same_as_oracle,
    start_differential_gateways,
)

CASES: dict[str, str] = {
    "non_merging_shapes_in_a_root_fetch": """
        { animals { ... on Dog { name weight } ... on Cat { name weight } } }
    """,
    "non_merging_shapes_beside_the_interface_field": """
        { animals { name ... on Dog { name bark } ... on Cat { name meow } } }
    """,
    "non_merging_shapes_under_client_aliases": """
        { animals { ... on Dog { n: name w: weight } ... on Cat { n: name w: weight } } }
    """,
    "non_merging_shapes_in_an_entity_fetch": """
        { adoptions { id dog { name weight age } cat { name weight lives } } }
    """,
    "subgraph_typed_root_field_answered_by_one_subgraph": """
        { bestFriend { name ... on Dog { age } ... on Cat { lives } } }
    """,
    "subgraph_typed_root_field_with_the_interface_subgraph": """
        { bestFriend { __typename name ... on Dog { bark } } }
    """,
}
EXPECTED_COUNTS: dict[str, dict[str, int]] = {
    "non_merging_shapes_in_a_root_fetch": {"zoo": 1},
    "non_merging_shapes_in_an_entity_fetch": {"shelter": 1, "vet": 1},
    "subgraph_typed_root_field_answered_by_one_subgraph": {"vet": 1},
}


@pytest.fixture(scope="module")
async def gateways(npm_tools: None) -> AsyncIterator[DifferentialGateways]:
    started = await start_differential_gateways(GRAPH)
    yield started
    await started.stop()


@pytest.mark.npm
@pytest.mark.parametrize("case", sorted(CASES))
async def test_field_types_match_apollo_gateway_and_the_oracle(
    gateways: DifferentialGateways, case: str
) -> None:
    ours, reference = await gateways.both(CASES[case])

    assert reference.status == 200 and "errors" not in reference.body, reference.body
    assert_same_answers(ours, reference)
    await assert_same_as_oracle(GRAPH, ours, CASES[case])
    assert_no_more_requests(ours, reference)
    if case in EXPECTED_COUNTS:
        assert ours.counts() == EXPECTED_COUNTS[case]


@pytest.mark.npm
async def test_the_aliased_operation_is_what_the_subgraph_receives(
    gateways: DifferentialGateways,
) -> None:
    ours = await gateways.ours("{ animals { ... on Dog { name } ... on Cat { name } } }")

    [(name, body)] = ours.requests
    assert name == "zoo"
    assert body["query"] == (
        "query{animals{__typename ...on Dog{name} ...on Cat{name__alias_0: name}}}"
    )
    assert ours.data == {
        "animals": [{"name": "Rex"}, {"name": "Tom"}, {"name": "Fido"}, {"name": "Kitty"}]
    }


# The graph is not (yet) in FEATURE_GRAPHS, whose every member our own composition must also
# compose: random operations over it run here, like test_random_operations_against_the_oracle.
