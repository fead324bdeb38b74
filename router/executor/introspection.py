"""Answer ``__schema`` and ``__type`` locally from the API schema with graphql-core, for the
callers ``IntrospectionAccess`` lets in."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from graphql import ExecutionResult, GraphQLSchema, execute
from graphql.language import ast

from router.auth.principal import Principal
from router.errors import RequestError
from router.operation.document import ClientOperation
from router.operation.normalise import INTROSPECTION_ROOT_FIELDS


def _only_introspection(
    selections: tuple[ast.SelectionNode, ...],
    fragments: Mapping[str, ast.FragmentDefinitionNode],
) -> tuple[ast.SelectionNode, ...]:
    kept: list[ast.SelectionNode] = []
    for selection in selections:
        if isinstance(selection, ast.FieldNode):
            if selection.name.value in INTROSPECTION_ROOT_FIELDS:
                kept.append(selection)
            continue
        if isinstance(selection, ast.FragmentSpreadNode):
            definition = fragments[selection.name.value]
            inner = _only_introspection(definition.selection_set.selections, fragments)
            type_condition: ast.NamedTypeNode | None = definition.type_condition
        else:
            assert isinstance(selection, ast.InlineFragmentNode)
            inner = _only_introspection(selection.selection_set.selections, fragments)
            type_condition = selection.type_condition
        if inner:
            kept.append(
                ast.InlineFragmentNode(
                    type_condition=type_condition,
                    directives=selection.directives,
                    selection_set=ast.SelectionSetNode(selections=inner),
                )
            )
    return tuple(kept)


class LocalIntrospection:
    """The introspection part of one operation, executed without any subgraph."""

    def __init__(self, schema: GraphQLSchema, operation: ClientOperation) -> None:
        self._schema = schema
        selections = _only_introspection(
            operation.operation.selection_set.selections, operation.fragments
        )
        self.present = bool(selections)
        root = ast.OperationDefinitionNode(
            operation=operation.operation.operation,
            name=operation.operation.name,
            variable_definitions=operation.operation.variable_definitions,
            selection_set=ast.SelectionSetNode(selections=selections),
        )
        self._document = ast.DocumentNode(definitions=(root, *operation.fragments.values()))

    def run(self, variables: Mapping[str, Any]) -> dict[str, Any]:
        result = execute(self._schema, self._document, variable_values=dict(variables))
        assert isinstance(result, ExecutionResult)
        return result.data or {}


INTROSPECTION_DISABLED = "INTROSPECTION_DISABLED"


@dataclass(frozen=True, slots=True)
class IntrospectionAccess:
    """Who may introspect: everyone while ``enabled``; otherwise only callers whose token
    carries ``scope`` (None: nobody). ``__typename`` is never introspection."""

    enabled: bool = True
    scope: str | None = None

    def check(self, introspection: LocalIntrospection, principal: Principal | None) -> None:
        """Raises ``RequestError`` (INTROSPECTION_DISABLED) for an operation the caller may not
        run because it introspects."""
        if self.enabled or not introspection.present:
            return
        if self.scope is not None and principal is not None and self.scope in principal.scopes:
            return
        raise RequestError(
            [
                {
                    "message": "Introspection is disabled on this router for this caller: "
                    "remove __schema and __type from the operation",
                    "extensions": {"code": INTROSPECTION_DISABLED},
                }
            ]
        )
