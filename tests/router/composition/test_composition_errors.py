"""Every error class is reported with its code and a message naming subgraph, type and field."""

import pytest

from router.composition import SubgraphSource, compose
from tests.router.composition.error_fixtures import (
    DUPLICATE_NAMES,
    EMPTY_NAME,
    ERROR_CASES,
    LINK,
    ErrorCase,
)
from tests.router.composition.supergraph_equivalence import apollo_compose


def assert_reports(case: ErrorCase) -> None:
    result = compose(case.sources)

    assert result.supergraph_sdl is None
    matching = [error for error in result.errors if error.code == case.code]
    assert matching, f"expected {case.code}, got {result.errors}"
    error = matching[0]
    for mention in case.mentions:
        assert mention in error.message, f"{mention!r} missing from: {error.message}"
    if case.coordinate is not None:
        assert error.coordinate == case.coordinate


@pytest.mark.parametrize("case_name", sorted(ERROR_CASES))
def test_error_is_reported_with_its_code_and_names_what_is_wrong(case_name: str) -> None:
    assert_reports(ERROR_CASES[case_name])


def test_duplicate_subgraph_names_are_rejected() -> None:
    assert_reports(DUPLICATE_NAMES)


def test_empty_subgraph_name_is_rejected() -> None:
    assert_reports(EMPTY_NAME)


def test_invalid_graphql_names_the_subgraph_in_its_error_record() -> None:
    result = compose(ERROR_CASES["unparsable_sdl"].sources)

    assert [(error.code, error.subgraph) for error in result.errors] == [
        ("INVALID_GRAPHQL", "broken")
    ]


def test_two_independent_errors_are_both_reported() -> None:
    sources = [
        SubgraphSource(
            "accounts",
            "http://127.0.0.1:4501/graphql",
            LINK
            + 'type Query { me: User } type User @key(fields: "id") { id: ID! email: String }'
            + " type Money @shareable { amount: Int }",
        ),
        SubgraphSource(
            "billing",
            "http://127.0.0.1:4502/graphql",
            LINK
            + 'type Query { bill: Money } type User @key(fields: "id") { id: ID! email: String }'
            + " type Money @shareable { amount: String }",
        ),
    ]

    result = compose(sources)

    codes = {(error.code, error.coordinate) for error in result.errors}
    assert ("INVALID_FIELD_SHARING", "User.email") in codes
    assert ("FIELD_TYPE_MISMATCH", "Money.amount") in codes
    assert result.supergraph_sdl is None


def test_errors_in_several_subgraphs_are_all_reported() -> None:
    sources = [
        SubgraphSource("one", "http://127.0.0.1:4501/graphql", "type Query {"),
        SubgraphSource(
            "two",
            "http://127.0.0.1:4502/graphql",
            LINK + 'type Query { u: User } type User @key(fields: "nope") { id: ID! }',
        ),
    ]

    result = compose(sources)

    assert {(error.code, error.subgraph) for error in result.errors} == {
        ("INVALID_GRAPHQL", "one"),
        ("KEY_INVALID_FIELDS", "two"),
    }


@pytest.mark.npm
@pytest.mark.parametrize("case_name", sorted(ERROR_CASES))
def test_apollo_composition_reports_the_same_code(npm_tools: None, case_name: str) -> None:
    case = ERROR_CASES[case_name]

    supergraph, errors = apollo_compose(case.sources)

    assert supergraph is None
    assert case.code in {line.split(":", 1)[0] for line in errors}, errors
