"""Interfaces and unions whose members live in different subgraphs: our router answers like
@apollo/gateway (tests/fixtures/features/abstract)."""

from collections.abc import AsyncIterator

import pytest

from tests.fixtures.features.abstract.subgraphs import GRAPH
from tests.fixtures.features.harness import (
    DifferentialGateways,
    assert_no_more_requests,
    assert_same_answers,
    start_differential_gateways,
)

pytestmark = pytest.mark.npm

MEDIA_FRAGMENT = """
    fragment MediaParts on Media {
        __typename id title
        ... on Book { pages rank }
        ... on Movie { year rank }
    }
"""

CASES = {
    "union_members_fetched_from_two_subgraphs": """
        { search(term: "all") {
            __typename
            ... on Book { id title pages }
            ... on Movie { id title year }
        } }
    """,
    "interface_list_fields_of_each_member_from_its_owner": """
        { featured { __typename id title
            ... on Book { author { name } }
            ... on Movie { director { id name } rank } } }
    """,
    "named_fragment_spread_across_subgraph_boundaries": "{ books { ...MediaParts } "
    "movies { ...MediaParts } featured { ...MediaParts } }" + MEDIA_FRAGMENT,
    "partial_union_member_only_the_other_subgraph_knows": """
        { search(term: "dune") { __typename ... on Person { name } ... on Book { title } } }
    """,
    "partial_union_from_the_subgraph_knowing_book_and_person": """
        { bookSearch(term: "dune") {
            __typename
            ... on Book { title rank }
            ... on Person { name }
            ... on Movie { year }
        } }
    """,
    "typename_only": '{ search(term: "all") { __typename } featured { __typename } }',
    "interface_fragment_inside_union_selection": """
        { search(term: "dune") { ... on Media { id t: title } ... on Movie { rank } } }
    """,
    "union_fragment_inside_interface_selection": """
        { featured { id ... on SearchResult { ... on Movie { title year } } } }
    """,
    "nested_abstract_type_conditions": """
        { bookSearch(term: "austen") {
            ... on Person { id name }
            ... on Media { id ... on Book { author { ... on Person { name } } } }
        } }
    """,
    "inline_fragment_without_type_condition_and_aliases": """
        { first: featured { ... { id } ... on Book { kind: __typename pages } }
          second: search(term: "unknown") { __typename } }
    """,
    "typename_inside_interface_fragment_and_entity_hop": """
        { featured { __typename ... on Media { kind: __typename id }
            ... on Movie { director { __typename name } } } }
    """,
    "member_missing_in_its_owner_subgraph": """
        { search(term: "dune") { ... on Movie { title director { name } } } }
    """,
}


@pytest.fixture(scope="module")
async def gateways(npm_tools: None) -> AsyncIterator[DifferentialGateways]:
    started = await start_differential_gateways(GRAPH)
    yield started
    await started.stop()


@pytest.mark.parametrize("case", sorted(CASES))
async def test_abstract_types_match_apollo_gateway(
    gateways: DifferentialGateways, case: str
) -> None:
    ours, reference = await gateways.both(CASES[case])

    assert reference.status == 200 and "errors" not in reference.body, reference.body
    assert_same_answers(ours, reference)
    assert_no_more_requests(ours, reference)
