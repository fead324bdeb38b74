"""@cost and @listSize are checked like @apollo/composition: same codes, same messages."""

import pytest

from router.composition import SubgraphSource, compose
from tests.router.composition.supergraph_equivalence import apollo_compose

LINK = (
    'extend schema @link(url: "https://specs.apollo.dev/federation/v2.9",'
    ' import: ["@key", "@cost", "@listSize"])\n'
)


def _source(sdl: str) -> tuple[SubgraphSource, ...]:
    return (SubgraphSource("costs", "http://costs.test/graphql", LINK + sdl),)


# name -> (subgraph SDL, the "CODE: message" lines Apollo reports, in its order)
CASES: dict[str, tuple[str, list[str]]] = {
    "cost_on_an_interface_field": (
        "type Query { i: I } interface I { x: Int @cost(weight: 3) }"
        " type O implements I { x: Int @cost(weight: 3) }",
        ['COST_APPLIED_TO_INTERFACE_FIELD: [costs] @cost cannot be applied to interface "I.x"'],
    ),
    "list_size_on_a_scalar": (
        "type Query { n: Int @listSize(assumedSize: 5) }",
        ['LIST_SIZE_APPLIED_TO_NON_LIST: [costs] "Query.n" is not a list'],
    ),
    "negative_assumed_size": (
        "type Query { l: [Int!]! @listSize(assumedSize: -1) }",
        ['LIST_SIZE_INVALID_ASSUMED_SIZE: [costs] Assumed size of "Query.l" cannot be negative'],
    ),
    "slicing_arguments_missing_or_not_int": (
        "type Query { l(first: Int, last: Int!, after: String): [Int]"
        ' @listSize(slicingArguments: ["first", "last", "after", "nope"]) }',
        [
            "LIST_SIZE_INVALID_SLICING_ARGUMENT: [costs] Slicing argument"
            ' "Query.l(after:)" must be Int or Int!',
            "LIST_SIZE_INVALID_SLICING_ARGUMENT: [costs] Slicing argument"
            ' "nope" is not an argument of "Query.l"',
        ],
    ),
    "sized_fields_on_a_scalar": (
        'type Query { n: Int @listSize(sizedFields: ["items"]) }',
        [
            "LIST_SIZE_INVALID_SIZED_FIELD: [costs] Sized fields cannot be used because"
            ' "Int" is not a composite type'
        ],
    ),
    "sized_fields_missing_or_not_lists": (
        'type Query { c(first: Int): Conn @listSize(slicingArguments: ["first"],'
        ' sizedFields: ["items", "count", "missing"]) }'
        " type Conn { items: [Int!]! count: Int }",
        [
            'LIST_SIZE_APPLIED_TO_NON_LIST: [costs] Sized field "Conn.count" is not a list',
            "LIST_SIZE_INVALID_SIZED_FIELD: [costs] Sized field"
            ' "missing" is not a field on type "Conn"',
        ],
    ),
    "valid_cost_and_list_size": (
        'type Query { l(first: Int!): [Int] @listSize(slicingArguments: ["first"])'
        ' c: Conn @listSize(sizedFields: ["items"], assumedSize: 0)'
        " o: O @cost(weight: 2) }"
        " type Conn { items: [Int] } type O { x: Int @cost(weight: 1) }",
        [],
    ),
}


@pytest.mark.parametrize("case_name", sorted(CASES))
def test_demand_control_problems_are_reported_with_apollos_codes(case_name: str) -> None:
    sdl, expected = CASES[case_name]

    result = compose(_source(sdl))

    assert [f"{error.code}: {error.message}" for error in result.errors] == expected
    assert (result.supergraph_sdl is None) == bool(expected)
    assert all(error.subgraph == "costs" for error in result.errors)


@pytest.mark.npm
@pytest.mark.parametrize("case_name", sorted(CASES))
def test_apollo_composition_reports_the_same_demand_control_errors(
    npm_tools: None, case_name: str
) -> None:
    sdl, expected = CASES[case_name]

    supergraph, errors = apollo_compose(_source(sdl))

    assert errors == expected
    if not expected:
        assert compose(_source(sdl)).supergraph_sdl == supergraph
