"""Parse and validate a client document against the API schema; select its operation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from graphql import GraphQLError, GraphQLSchema, parse, validate
from graphql.language import ast

from router.errors import RequestError


@dataclass(frozen=True, slots=True)
class ClientOperation:
    """A validated client operation and the fragments it may spread."""

    document: ast.DocumentNode
    operation: ast.OperationDefinitionNode
    fragments: dict[str, ast.FragmentDefinitionNode]

    @property
    def name(self) -> str | None:
        return self.operation.name.value if self.operation.name else None

    @property
    def operation_type(self) -> str:
        return self.operation.operation.value


def _error(error: GraphQLError, code: str) -> dict[str, Any]:
    formatted: dict[str, Any] = {"message": error.message}
    if error.locations:
        formatted["locations"] = [
            {"line": location.line, "column": location.column} for location in error.locations
        ]
    formatted["extensions"] = {"code": code}
    return formatted


def parse_document(source: str, *, max_tokens: int | None = None) -> ast.DocumentNode:
    """``max_tokens``: graphql-core stops parsing past this many tokens (a GraphQLError)."""
    try:
        return parse(source, max_tokens=max_tokens)
    except GraphQLError as error:
        raise RequestError([_error(error, "GRAPHQL_PARSE_FAILED")]) from error


def validate_document(schema: GraphQLSchema, document: ast.DocumentNode) -> None:
    errors = validate(schema, document)
    if errors:
        raise RequestError([_error(error, "GRAPHQL_VALIDATION_FAILED") for error in errors])


def select_operation(document: ast.DocumentNode, operation_name: str | None) -> ClientOperation:
    operations = [d for d in document.definitions if isinstance(d, ast.OperationDefinitionNode)]
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, ast.FragmentDefinitionNode)
    }
    if operation_name is None:
        if len(operations) != 1:
            message = (
                "Must provide operation name if query contains multiple operations."
                if operations
                else "The document contains no operation."
            )
            raise RequestError([{"message": message, "extensions": {"code": "BAD_REQUEST"}}])
        return ClientOperation(document, operations[0], fragments)
    for operation in operations:
        if operation.name is not None and operation.name.value == operation_name:
            return ClientOperation(document, operation, fragments)
    raise RequestError(
        [
            {
                "message": f'Unknown operation named "{operation_name}".',
                "extensions": {"code": "BAD_REQUEST"},
            }
        ]
    )


def load_operation(
    schema: GraphQLSchema, source: str, operation_name: str | None
) -> ClientOperation:
    """Parse, validate and select; raises RequestError with the GraphQL error codes."""
    document = parse_document(source)
    validate_document(schema, document)
    return select_operation(document, operation_name)
