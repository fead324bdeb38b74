"""A small engine on graphql-core that satisfies the HTTP pipeline's engine protocol.

It lets the HTTP layer be proven over real HTTP on its own; the real ``QueryEngine`` is proven
end to end in tests/integration/benchmark/.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    GraphQLError,
    GraphQLSchema,
    OperationDefinitionNode,
    build_schema,
    execute,
    get_operation_ast,
    parse,
    validate,
)
from graphql.execution import ExecutionResult

from router.errors import RequestError
from router.http.engine_protocol import OperationType
from router.types import RequestContext

SDL = """
type Query {
  hello(name: String = "world"): String!
  requestId: String!
  crash: String
}
type Mutation { bump: Int! }
type Subscription { ticks: Int }
"""


class EngineBug(RuntimeError):
    """Stands for an unexpected failure inside the engine."""


@dataclass(frozen=True)
class CorePreparedOperation:
    document: DocumentNode
    operation: OperationDefinitionNode
    operation_name: str | None

    @property
    def operation_type(self) -> OperationType:
        value: OperationType = self.operation.operation.value
        return value


def _error(error: GraphQLError, code: str) -> dict[str, Any]:
    formatted = dict(error.formatted)
    formatted["extensions"] = {"code": code}
    return formatted


class GraphQLCoreEngine:
    def __init__(self) -> None:
        self.schema: GraphQLSchema = build_schema(SDL)
        self.bumps = 0

    def prepare(
        self, document: str, operation_name: str | None, *, principal: Any = None
    ) -> CorePreparedOperation:
        try:
            parsed = parse(document)
        except GraphQLError as error:
            raise RequestError([_error(error, "GRAPHQL_PARSE_FAILED")]) from None
        errors = validate(self.schema, parsed)
        if errors:
            raise RequestError([_error(error, "GRAPHQL_VALIDATION_FAILED") for error in errors])
        operation = get_operation_ast(parsed, operation_name)
        if operation is None:
            message = f"Unknown operation named '{operation_name}'."
            raise RequestError(
                [{"message": message, "extensions": {"code": "OPERATION_RESOLUTION_FAILURE"}}]
            )
        return CorePreparedOperation(parsed, operation, operation_name)

    async def execute(
        self,
        prepared: CorePreparedOperation,
        variables: Mapping[str, Any] | None,
        context: RequestContext,
    ) -> dict[str, Any]:
        if any(
            getattr(selection, "name", None) and selection.name.value == "crash"  # type: ignore[attr-defined]
            for selection in prepared.operation.selection_set.selections
        ):
            raise EngineBug("secret internal detail")

        def bump(_info: Any) -> int:
            self.bumps += 1
            return self.bumps

        root = {
            "hello": lambda _info, name: f"Hello, {name}!",
            "requestId": lambda _info: context.request_id,
            "bump": bump,
        }
        result = execute(
            self.schema,
            prepared.document,
            root_value=root,
            variable_values=dict(variables or {}),
            operation_name=prepared.operation_name,
        )
        assert isinstance(result, ExecutionResult)
        if result.data is None and result.errors:
            raise RequestError([_error(error, "BAD_USER_INPUT") for error in result.errors])
        return result.formatted
