"""Field sets (``"id owner { id }"``) of @key, @requires and @provides as selection sets."""

from __future__ import annotations

from functools import lru_cache

from graphql import GraphQLSyntaxError, parse
from graphql.language import ast

from router.errors import SupergraphError


@lru_cache(maxsize=4096)
def parse_field_set(fields: str) -> ast.SelectionSetNode:
    try:
        operation = parse("{" + fields + "}", no_location=True).definitions[0]
    except GraphQLSyntaxError as error:
        raise SupergraphError(f"invalid field set {fields!r}: {error.message}") from error
    assert isinstance(operation, ast.OperationDefinitionNode)
    return operation.selection_set
