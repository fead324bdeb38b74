"""A Federation 1 graph (`extend type ... @key`, `@extends`, `@external` on extension key fields,
`@requires`, `@provides`, value types shared without `@shareable`) composed by @apollo/composition:
our router answers like @apollo/gateway and like the oracle, and sends no subgraph more requests
(tests/fixtures/features/federation1)."""

from collections.abc import AsyncIterator
from typing import Any

import pytest
from graphql import (
    GraphQLObjectType,
    ObjectTypeDefinitionNode,
    ObjectTypeExtensionNode,
    parse,
    print_ast,
)

from tests.fixtures.features.federation1.subgraphs import GRAPH
from tests.fixtures.features.harness import (
    DifferentialGateways,
    assert_no_more_requests,
    assert_same_answers,
    assert_same_as_oracle,
    start_differential_gateways,
)

pytestmark = pytest.mark.npm

CASES: dict[str, str] = {
    "requires_on_an_extends_extension": "{ users { id username birthYear age } }",
    "provides_skips_the_owner_fetch": "{ posts { title author { id username } } }",
    "provides_then_fetches_for_the_rest": """
        { posts { title titleLength views author { username birthYear age } } }
    """,
    "extension_field_on_an_extended_type": "{ me { username posts { id title } } }",
    "unknown_id_and_null_required_value": """
        { user(id: "nope") { username } grace: user(id: "u3") { username age profile { bio } } }
    """,
    "value_type_of_two_subgraphs": """
        { posts { authorProfile { bio } author { profile { bio website } } } }
    """,
    "entity_chain_through_three_subgraphs": """
        { post(id: "t2") { author { username posts { title titleLength views } } } }
    """,
    "provided_field_under_an_extension_list": """
        { users { posts { author { id username age } } } }
    """,
    "variables_and_required_fields_from_a_root_post": """
        query ($id: ID!) { post(id: $id) { views title author { age } } }
    """,
    "aliases_reusing_required_field_names": """
        { users { birthYear: username age } posts { title: id titleLength } }
    """,
}
VARIABLES: dict[str, dict[str, Any]] = {
    "variables_and_required_fields_from_a_root_post": {"id": "t4"},
}
# Where @apollo/gateway contradicts the specification, ours must match the oracle instead.
APOLLO_IS_WRONG = {
    "aliases_reusing_required_field_names": (
        "@apollo/gateway builds the representations for stats from the response keys, so "
        '`birthYear: username` sends `"birthYear": "ada"` (stats fails on it and `age` is null '
        "with an error) and `title: id` sends the id as the title; the aliases name response "
        "keys only, the required fields must keep their real values"
    ),
}
# Requests per subgraph our router makes (never more than @apollo/gateway either).
EXPECTED_COUNTS: dict[str, dict[str, int]] = {
    "provides_skips_the_owner_fetch": {"posts": 1},
    "provides_then_fetches_for_the_rest": {"posts": 1, "stats": 2, "users": 1},
}


@pytest.fixture(scope="module")
async def gateways(npm_tools: None) -> AsyncIterator[DifferentialGateways]:
    started = await start_differential_gateways(GRAPH)
    yield started
    await started.stop()


@pytest.mark.parametrize("case", sorted(CASES))
async def test_federation1_graph_matches_apollo_gateway_and_the_oracle(
    gateways: DifferentialGateways, case: str
) -> None:
    query, variables = CASES[case], VARIABLES.get(case)
    ours, reference = await gateways.both(query, variables)

    await assert_same_as_oracle(GRAPH, ours, query, variables)
    if case in APOLLO_IS_WRONG:
        assert "errors" in reference.body, APOLLO_IS_WRONG[case]
        return
    assert reference.status == 200 and "errors" not in reference.body, reference.body
    assert_same_answers(ours, reference)
    assert_no_more_requests(ours, reference)
    if case in EXPECTED_COUNTS:
        assert ours.counts() == EXPECTED_COUNTS[case]


@pytest.mark.parametrize("subgraph", sorted(GRAPH.schemas))
def test_federation1_sdl_describes_what_strawberry_serves(subgraph: str) -> None:
    """The hand-written SDL composed for a subgraph has the fields and types its strawberry
    schema executes."""
    schema = GRAPH.schemas[subgraph]
    served = schema._schema
    for definition in parse(schema.as_str()).definitions:
        assert isinstance(definition, ObjectTypeDefinitionNode | ObjectTypeExtensionNode)
        owner = served.type_map[definition.name.value]
        assert isinstance(owner, GraphQLObjectType)
        for field in definition.fields or ():
            assert str(owner.fields[field.name.value].type) == print_ast(field.type), field
