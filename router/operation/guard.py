"""The one place an operation is admitted: size and token limits while parsing, the shape limits
right after (before validation, so an abusive document never reaches the costlier steps), then
validation, and demand control for the planned operation.

The query engine calls ``load`` only for documents it has not prepared yet (its caches hold the
verdict), and ``OperationDemand.check`` (``router.operation.demand``) on every execution.
"""

from __future__ import annotations

from typing import Any

from graphql import GraphQLSchema
from graphql.language import ast

from router.errors import RequestError
from router.operation.cost import CostEstimator
from router.operation.cost_directives import read_cost_directives
from router.operation.demand import OperationDemand
from router.operation.document import (
    ClientOperation,
    parse_document,
    select_operation,
    validate_document,
)
from router.operation.limits import OperationLimits
from router.operation.measure import Measurements, measure_document, measure_operation

MAX_DOCUMENT_SIZE_EXCEEDED = "MAX_DOCUMENT_SIZE_EXCEEDED"
MAX_TOKENS_EXCEEDED = "MAX_TOKENS_EXCEEDED"
MAX_DEPTH_EXCEEDED = "MAX_DEPTH_EXCEEDED"
MAX_ALIASES_EXCEEDED = "MAX_ALIASES_EXCEEDED"
MAX_ROOT_FIELDS_EXCEEDED = "MAX_ROOT_FIELDS_EXCEEDED"
MAX_FIELDS_EXCEEDED = "MAX_FIELDS_EXCEEDED"
_TOKEN_LIMIT_MESSAGE = "Document contains more than"
_LARGEST_SHOWN = 10**15


class OperationGuard:
    """Admits the operations of one API schema under one set of limits."""

    def __init__(
        self, schema: GraphQLSchema, supergraph_schema: GraphQLSchema, limits: OperationLimits
    ) -> None:
        """``schema``: the API schema operations are validated against; ``supergraph_schema``:
        the full supergraph schema, whose ``@cost``/``@listSize`` demand control reads."""
        self.limits = limits
        self._schema = schema
        self._estimator = (
            None
            if limits.max_cost is None
            else CostEstimator(
                schema, read_cost_directives(supergraph_schema), limits.default_list_size
            )
        )

    def load(self, source: str, operation_name: str | None) -> ClientOperation:
        """Parse, check the limits, validate and select; raises ``RequestError`` (400)."""
        self._check_size(source)
        document = self._parse(source)
        self._check_shape(document, operation_name)
        validate_document(self._schema, document)
        operation = select_operation(document, operation_name)
        demand = self.demand(operation)
        if demand is not None and not operation.operation.variable_definitions:
            demand.check({})  # no variables: the verdict is known before planning
        return operation

    def demand(self, operation: ClientOperation) -> OperationDemand | None:
        """The cost check to run with each execution's variables; None without a maximum."""
        if self._estimator is None or self.limits.max_cost is None:
            return None
        return OperationDemand(
            self._estimator,
            operation,
            self.limits.max_cost,
            enforce=self.limits.cost_mode == "enforce",
        )

    def _check_size(self, source: str) -> None:
        limit = self.limits.max_document_bytes
        if limit is None or len(source) <= limit // 4:
            return
        size = len(source.encode("utf-8", "surrogatepass"))
        if size > limit:
            raise _exceeded(
                MAX_DOCUMENT_SIZE_EXCEEDED,
                f"The document is {size} bytes, more than the limit of {limit}: send a "
                "smaller document",
                size,
                limit,
            )

    def _parse(self, source: str) -> ast.DocumentNode:
        limit = self.limits.max_tokens
        try:
            return parse_document(source, max_tokens=limit)
        except RequestError as error:
            if limit is None or _TOKEN_LIMIT_MESSAGE not in str(error):
                raise
            raise _exceeded(
                MAX_TOKENS_EXCEEDED,
                f"The document has more than {limit} tokens, the limit: send a shorter "
                "document (fewer fields, arguments and fragments)",
                None,
                limit,
            ) from error

    def _check_shape(self, document: ast.DocumentNode, operation_name: str | None) -> None:
        limits = self.limits
        if (
            limits.max_depth is None
            and limits.max_aliases is None
            and limits.max_root_fields is None
            and limits.max_fields is None
        ):
            return
        fragments = {
            definition.name.value: definition
            for definition in document.definitions
            if isinstance(definition, ast.FragmentDefinitionNode)
        }
        try:
            operation = select_operation(document, operation_name)
        except RequestError:
            # Reported after validation, as before; meanwhile every operation must fit.
            measured = measure_document(document, fragments)
        else:
            measured = measure_operation(operation.operation, fragments)
        errors = _shape_errors(measured, limits)
        if errors:
            raise RequestError(errors)


def _shape_errors(measured: Measurements, limits: OperationLimits) -> list[dict[str, Any]]:
    checks = (
        (
            MAX_DEPTH_EXCEEDED,
            measured.depth,
            limits.max_depth,
            "The operation nests fields {measured} deep, more than the limit of {limit}: "
            "request less deeply nested data",
        ),
        (
            MAX_ALIASES_EXCEEDED,
            measured.aliases,
            limits.max_aliases,
            "The operation uses {measured} aliases (fragments expanded), more than the limit "
            "of {limit}: use fewer aliases",
        ),
        (
            MAX_ROOT_FIELDS_EXCEEDED,
            measured.root_fields,
            limits.max_root_fields,
            "The operation selects {measured} root fields, more than the limit of {limit}: "
            "split it into several operations",
        ),
        (
            MAX_FIELDS_EXCEEDED,
            measured.fields,
            limits.max_fields,
            "The operation selects {measured} fields (fragments expanded), more than the "
            "limit of {limit}: select fewer fields or split the operation",
        ),
    )
    errors: list[dict[str, Any]] = []
    for code, value, limit, message in checks:
        if limit is not None and value > limit:
            shown = str(value) if value <= _LARGEST_SHOWN else f"more than {_LARGEST_SHOWN}"
            errors.append(_error(code, message.format(measured=shown, limit=limit), value, limit))
    return errors


def _error(code: str, message: str, measured: int | None, limit: int) -> dict[str, Any]:
    extensions: dict[str, Any] = {"code": code, "limit": limit}
    if measured is not None and measured <= _LARGEST_SHOWN:
        extensions["measured"] = measured
    return {"message": message, "extensions": extensions}


def _exceeded(code: str, message: str, measured: int | None, limit: int) -> RequestError:
    return RequestError([_error(code, message, measured, limit)])
