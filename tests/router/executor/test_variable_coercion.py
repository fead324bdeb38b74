"""Variables coerced by the operation's compiled coercion (``router.executor.variables``) are
exactly what graphql-core's coercion gives: the same values, or the same errors."""

from __future__ import annotations

from typing import Any

import pytest
from graphql import parse
from graphql.language import OperationDefinitionNode, VariableDefinitionNode
from hypothesis import given, settings
from hypothesis import strategies as st

from router.errors import RequestError
from router.executor.variables import VariableCoercion, coerce_variables
from router.supergraph import load_supergraph
from tests.router.executor.fakes import REPO_ROOT

SCHEMA = load_supergraph((REPO_ROOT / "schema" / "supergraph.graphql").read_text()).api_schema

# Variable types over built-in scalars, an enum, lists and non-null, with and without defaults;
# the input object makes the whole operation take graphql-core's path.
DEFINITIONS = [
    "$first: Int!",
    "$after: String",
    "$limit: Int = 10",
    "$ratio: Float",
    "$flag: Boolean! = false",
    "$id: ID",
    "$ids: [ID!]",
    "$nested: [[Int]!]",
    "$status: AlertStatus",
    "$statuses: [AlertStatus!]! = [OPEN]",
    "$input: AcknowledgeAlertInput",
]

JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**40), max_value=2**40)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.sampled_from(["OPEN", "ACKNOWLEDGED", "RESOLVED", "open", "", "12", "x"]),
    lambda children: st.lists(children, max_size=3),
    max_leaves=6,
)


def _definitions(text: str) -> tuple[VariableDefinitionNode, ...]:
    operation = parse(f"query Q({text}) {{ __typename }}").definitions[0]
    assert isinstance(operation, OperationDefinitionNode)
    return tuple(operation.variable_definitions)


def _coercion(definitions: str) -> VariableCoercion:
    return VariableCoercion(SCHEMA, _definitions(definitions))


def _outcome(coerce: Any, inputs: dict[str, Any]) -> Any:
    try:
        return ("values", coerce(inputs))
    except RequestError as error:
        return ("errors", error.errors)


def _graphql_core(definitions: str) -> Any:
    parsed = _definitions(definitions)
    return lambda inputs: coerce_variables(SCHEMA, parsed, inputs)


@settings(max_examples=400, deadline=None)
@given(
    chosen=st.lists(st.sampled_from(DEFINITIONS), min_size=1, max_size=4, unique=True),
    values=st.lists(JSON_VALUES, min_size=4, max_size=4),
    given_mask=st.lists(st.booleans(), min_size=4, max_size=4),
)
def test_the_same_values_or_errors_as_graphql_core(
    chosen: list[str], values: list[Any], given_mask: list[bool]
) -> None:
    definitions = ", ".join(chosen)
    inputs = {
        definition.split(":")[0][1:]: value
        for definition, value, present in zip(chosen, values, given_mask, strict=False)
        if present
    }

    assert _outcome(_coercion(definitions).coerce, inputs) == _outcome(
        _graphql_core(definitions), inputs
    )


@pytest.mark.parametrize(
    ("inputs", "expected"),
    [
        ({"first": 10}, {"first": 10, "limit": 10, "flag": False}),
        (
            {"first": 2, "limit": None, "after": "c"},
            {"first": 2, "limit": None, "after": "c", "flag": False},
        ),
        ({"first": 3.0}, {"first": 3, "limit": 10, "flag": False}),  # graphql-core's rule
    ],
)
def test_values_and_defaults(inputs: dict[str, Any], expected: dict[str, Any]) -> None:
    coercion = _coercion("$first: Int!, $after: String, $limit: Int = 10, $flag: Boolean! = false")

    assert coercion.coerce(inputs) == expected


@pytest.mark.parametrize(
    "inputs", [{}, {"first": None}, {"first": "ten"}, {"first": 2**31}, {"first": True}]
)
def test_bad_values_are_bad_user_input(inputs: dict[str, Any]) -> None:
    with pytest.raises(RequestError) as raised:
        _coercion("$first: Int!").coerce(inputs)

    assert [error["extensions"]["code"] for error in raised.value.errors] == ["BAD_USER_INPUT"]
    assert "$first" in raised.value.errors[0]["message"]


def test_subgraphs_get_the_values_given_or_the_declared_defaults() -> None:
    coercion = _coercion("$first: Int!, $after: String, $statuses: [AlertStatus!]! = [OPEN]")

    assert coercion.for_subgraphs({"first": 5, "other": 1}) == {
        "first": 5,
        "statuses": ["OPEN"],
    }
