"""Every field reachable from a root must be fetchable: SATISFIABILITY_ERROR names the path."""

import re

import pytest

from router.composition import compose
from tests.router.composition.satisfiability_fixtures import SATISFIABILITY_CASES
from tests.router.composition.supergraph_equivalence import apollo_compose, whole_messages


@pytest.mark.parametrize("case_name", sorted(SATISFIABILITY_CASES))
def test_unsatisfiable_fields_are_reported_and_satisfiable_graphs_compose(case_name: str) -> None:
    sources, unsatisfiable = SATISFIABILITY_CASES[case_name]

    result = compose(sources)

    reported = {e.coordinate for e in result.errors if e.code == "SATISFIABILITY_ERROR"}
    assert reported == unsatisfiable
    assert [e for e in result.errors if e.code != "SATISFIABILITY_ERROR"] == []
    assert (result.supergraph_sdl is None) == bool(unsatisfiable)


def test_satisfiability_error_shows_the_query_and_why_each_subgraph_fails() -> None:
    sources, _ = SATISFIABILITY_CASES["entity_field_behind_unresolvable_keys"]

    [error] = compose(sources).errors

    assert error.subgraph == "a"
    assert error.message.startswith(
        "The following supergraph API query:\n{\n  t {\n    extra\n  }\n}\n"
        "cannot be satisfied by the subgraphs because:\n"
        '- from subgraph "a":\n'
        '  - cannot find field "T.extra".\n'
        '  - cannot move to subgraph "b", which has field "T.extra", because none of the @key '
        'defined on type "T" in subgraph "b" are resolvable'
    )


def test_unmet_requires_is_explained() -> None:
    sources, _ = SATISFIABILITY_CASES["required_field_only_in_an_unresolvable_subgraph"]

    errors = {error.coordinate: error for error in compose(sources).errors}

    assert (
        '- from subgraph "a": cannot find field "T.y".\n'
        '- from subgraph "b": cannot satisfy @require conditions on field "T.y".\n'
    ) in errors["T.y"].message
    # Where the query can jump to, Apollo says why that subgraph cannot serve the field either.
    assert (
        '- from subgraph "b": field "T.x" is not resolvable because marked @external.\n'
        in errors["T.x"].message
    )


@pytest.mark.npm
@pytest.mark.parametrize("case_name", sorted(SATISFIABILITY_CASES))
def test_apollo_composition_reaches_the_same_verdict(npm_tools: None, case_name: str) -> None:
    sources, unsatisfiable = SATISFIABILITY_CASES[case_name]

    _, errors = apollo_compose(sources)

    codes = {line.split(":", 1)[0] for line in errors if re.match(r"^[A-Z_]+:", line)}
    assert codes == ({"SATISFIABILITY_ERROR"} if unsatisfiable else set()), errors


def test_a_key_whose_nested_field_cannot_be_fetched_blocks_the_jump() -> None:
    sources, _ = SATISFIABILITY_CASES["nested_key_field_missing_where_the_parent_is"]

    errors = {error.coordinate: error for error in compose(sources).errors}

    assert (
        '- from subgraph "a":\n'
        '  - cannot find field "T.extra".\n'
        '  - cannot move to subgraph "b" using @key(fields: "owner { id }") of "T", the key '
        'field(s) cannot be resolved from subgraph "a".\n'
    ) in errors["T.extra"].message


@pytest.mark.npm
@pytest.mark.parametrize("case_name", sorted(SATISFIABILITY_CASES))
def test_satisfiability_errors_explain_like_apollo(npm_tools: None, case_name: str) -> None:
    sources, _ = SATISFIABILITY_CASES[case_name]
    _, apollo_errors = apollo_compose(sources)

    ours = [
        # Apollo's explanation; our last line says what to do about it.
        f"{error.code}: {error.message.rsplit(chr(10), 1)[0]}"
        for error in compose(sources).errors
    ]

    assert sorted(ours) == sorted(whole_messages(apollo_errors))
