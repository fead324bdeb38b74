"""Every field reachable from a root must be fetchable: SATISFIABILITY_ERROR names the path."""

import re

import pytest

from router.composition import compose
from tests.router.composition.satisfiability_fixtures import SATISFIABILITY_CASES
from tests.router.composition.supergraph_equivalence import apollo_compose


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

    assert 'cannot satisfy @requires conditions on field "T.y" in subgraph "b"' in (
        errors["T.y"].message
    )
    assert 'field "T.x" is not resolvable because marked @external' not in errors["T.x"].message


@pytest.mark.npm
@pytest.mark.parametrize("case_name", sorted(SATISFIABILITY_CASES))
def test_apollo_composition_reaches_the_same_verdict(npm_tools: None, case_name: str) -> None:
    sources, unsatisfiable = SATISFIABILITY_CASES[case_name]

    _, errors = apollo_compose(sources)

    codes = {line.split(":", 1)[0] for line in errors if re.match(r"^[A-Z_]+:", line)}
    assert codes == ({"SATISFIABILITY_ERROR"} if unsatisfiable else set()), errors
