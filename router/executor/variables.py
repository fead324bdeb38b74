"""Coerce the client's variables before anything is fetched."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graphql import GraphQLSchema, value_from_ast_untyped
from graphql.execution.values import get_variable_values
from graphql.language import ast

from router.errors import RequestError


def coerce_variables(
    schema: GraphQLSchema,
    definitions: tuple[ast.VariableDefinitionNode, ...],
    inputs: Mapping[str, Any],
) -> dict[str, Any]:
    """Coerced values (raises RequestError BAD_USER_INPUT when they do not fit the types)."""
    coerced = get_variable_values(schema, definitions, dict(inputs))
    if isinstance(coerced, list):
        raise RequestError(
            [
                {"message": error.message, "extensions": {"code": "BAD_USER_INPUT"}}
                for error in coerced
            ]
        )
    # graphql-core 3.3 wraps the values (``VariableValues.coerced``); 3.2 returns the dict.
    values: Any = getattr(coerced, "coerced", coerced)
    return dict(values)


def subgraph_variables(
    definitions: tuple[ast.VariableDefinitionNode, ...], inputs: Mapping[str, Any]
) -> dict[str, Any]:
    """The JSON values to send to subgraphs: the client's, or the declared defaults."""
    values: dict[str, Any] = {}
    for definition in definitions:
        name = definition.variable.name.value
        if name in inputs:
            values[name] = inputs[name]
        elif definition.default_value is not None:
            values[name] = value_from_ast_untyped(definition.default_value)
    return values
