"""Coerce the client's variables before anything is fetched."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from graphql import (
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLSchema,
    Undefined,
    is_leaf_type,
    type_from_ast,
    value_from_ast,
    value_from_ast_untyped,
)
from graphql.execution.values import get_variable_values
from graphql.language import ast

from router.errors import RequestError

Coerce = Callable[[Any], Any]


class VariableCoercion:
    """The client's variables coerced to one operation's declared types, compiled once per
    prepared operation.

    Each value goes through its leaf types' own ``parse_value``, as graphql-core's coercion
    does; whatever that path does not take as it is (input objects, a single value for a list,
    a null for a non-null type, a value its type refuses) goes to graphql-core's
    ``get_variable_values``, for its rules and its error messages.
    """

    __slots__ = ("_definitions", "_fast", "_schema", "_subgraph_defaults")

    def __init__(
        self, schema: GraphQLSchema, definitions: tuple[ast.VariableDefinitionNode, ...]
    ) -> None:
        self._schema = schema
        self._definitions = definitions
        self._fast = _fast_coercion(schema, definitions)
        self._subgraph_defaults = {
            definition.variable.name.value: value_from_ast_untyped(definition.default_value)
            for definition in definitions
            if definition.default_value is not None
        }

    def coerce(self, inputs: Mapping[str, Any]) -> dict[str, Any]:
        """Coerced values (raises RequestError BAD_USER_INPUT when they do not fit the types)."""
        fast = self._fast
        if fast is not None:
            coerced: dict[str, Any] = {}
            try:
                for name, coerce, default, required in fast:
                    if name in inputs:
                        coerced[name] = coerce(inputs[name])
                    elif default is not Undefined:
                        coerced[name] = default
                    elif required:
                        raise _NotAsItIs
                return coerced
            except _NotAsItIs:
                pass
        return coerce_variables(self._schema, self._definitions, inputs)

    def for_subgraphs(self, inputs: Mapping[str, Any]) -> dict[str, Any]:
        """The JSON values to send to subgraphs: the client's, or the declared defaults."""
        values: dict[str, Any] = {}
        defaults = self._subgraph_defaults
        for definition in self._definitions:
            name = definition.variable.name.value
            if name in inputs:
                values[name] = inputs[name]
            elif name in defaults:
                values[name] = defaults[name]
        return values


class _NotAsItIs(Exception):
    """graphql-core's coercion decides this value."""


def _fast_coercion(
    schema: GraphQLSchema, definitions: tuple[ast.VariableDefinitionNode, ...]
) -> list[tuple[str, Coerce, Any, bool]] | None:
    """Per variable: its name, a coercion of values given, its coerced default
    (``Undefined``: none) and whether it must be given; None when some variable's type is not
    made of leaf types."""
    compiled = []
    for definition in definitions:
        variable_type = type_from_ast(schema, definition.type)
        coerce = None if variable_type is None else _coercion(variable_type)  # type: ignore[arg-type]
        if coerce is None:
            return None
        default: Any = Undefined
        if definition.default_value is not None:
            default = value_from_ast(definition.default_value, variable_type)  # type: ignore[arg-type]
            if default is Undefined:
                return None
        required = isinstance(variable_type, GraphQLNonNull) and default is Undefined
        compiled.append((definition.variable.name.value, coerce, default, required))
    return compiled


def _coercion(input_type: GraphQLInputType) -> Coerce | None:
    if isinstance(input_type, GraphQLNonNull):
        inner = _coercion(input_type.of_type)
        if inner is None:
            return None

        def non_null(value: Any) -> Any:
            if value is None:
                raise _NotAsItIs
            return inner(value)

        return non_null
    if isinstance(input_type, GraphQLList):
        item = _coercion(input_type.of_type)
        if item is None:
            return None

        def list_of(value: Any) -> Any:
            if value is None:
                return None
            if value.__class__ is not list:
                raise _NotAsItIs  # a single value stands for a list of one
            return [item(element) for element in value]

        return list_of
    if is_leaf_type(input_type):
        parse_value = input_type.parse_value

        def leaf(value: Any) -> Any:
            if value is None:
                return None
            try:
                parsed = parse_value(value)
            except Exception:
                raise _NotAsItIs from None
            if parsed is Undefined:
                raise _NotAsItIs
            return parsed

        return leaf
    return None  # an input object


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
