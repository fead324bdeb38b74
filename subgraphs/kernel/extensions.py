"""Strawberry schema extensions the app factory installs on every subgraph schema.

`MaskUnexpectedErrors` keeps domain errors and GraphQL validation errors as they are and turns
anything else into an opaque INTERNAL_SERVER_ERROR carrying the request id (logged in full).
`UnitOfWork` commits a mutation's session once when every field succeeded and rolls back
otherwise; queries never commit.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from contextlib import suppress

from graphql import GraphQLError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from subgraphs.kernel.context import SubgraphContext
from subgraphs.kernel.db import UNAVAILABLE_MESSAGE
from subgraphs.kernel.errors import INTERNAL_SERVER_ERROR, DatabaseUnavailable, DomainError

logger = logging.getLogger("subgraphs.kernel")


def internal_error(
    error: GraphQLError | None, cause: BaseException, request_id: str
) -> GraphQLError:
    """Log `cause` with its traceback and return the only thing the client may see of it."""
    logger.error(
        "unexpected error (request id %s)%s",
        request_id,
        f" at {'.'.join(map(str, error.path))}" if error and error.path else "",
        exc_info=cause,
    )
    return GraphQLError(
        f"Internal server error (request id {request_id})",
        nodes=error.nodes if error else None,
        path=error.path if error else None,
        extensions={"code": INTERNAL_SERVER_ERROR, "requestId": request_id},
    )


def _unexpected_cause(error: GraphQLError) -> BaseException | None:
    """The exception to hide behind INTERNAL_SERVER_ERROR, or None when `error` may be shown.

    Errors without a path are parse/validation/variable-coercion errors: their text helps.
    """
    cause = error.original_error
    if error.path is None or cause is None or isinstance(cause, DomainError | GraphQLError):
        return None
    return cause


def _masked(error: GraphQLError, request_id: str) -> GraphQLError:
    cause = _unexpected_cause(error)
    if cause is None:
        return error
    if isinstance(cause, PoolTimeout):
        # Every pooled connection stayed busy for db_pool_timeout_seconds: an overload that
        # passes, told as such rather than as a bug.
        unavailable = DatabaseUnavailable(UNAVAILABLE_MESSAGE)
        return GraphQLError(
            unavailable.message,
            nodes=error.nodes,
            path=error.path,
            extensions=unavailable.extensions,
        )
    return internal_error(error, cause, request_id)


def _request_id(context: object) -> str:
    return context.request_id if isinstance(context, SubgraphContext) else "unknown"


class MaskUnexpectedErrors(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is None or not result.errors:
            return
        request_id = _request_id(self.execution_context.context)
        result.errors = [_masked(error, request_id) for error in result.errors]


def _commit_error(error: Exception, request_id: str) -> GraphQLError:
    """A failed commit: a domain error (the database went away: DATABASE_UNAVAILABLE) as itself,
    anything else behind INTERNAL_SERVER_ERROR."""
    if isinstance(error, PoolTimeout):
        error = DatabaseUnavailable(UNAVAILABLE_MESSAGE)
    if isinstance(error, DomainError):
        return GraphQLError(error.message, extensions=error.extensions)
    return internal_error(None, error, request_id)


class UnitOfWork(SchemaExtension):
    async def on_operation(self) -> AsyncIterator[None]:
        yield
        context = self.execution_context.context
        result = self.execution_context.result
        if not isinstance(context, SubgraphContext) or result is None:
            return
        if not self._is_mutation() or result.errors:
            await context.session.rollback()
            if self._is_mutation() and result.errors:
                # Nothing was kept, so no field may claim otherwise.
                result.data = None
            return
        try:
            await context.session.commit()
        except Exception as exc:
            with suppress(Exception):  # the database may be gone: the commit failure is the news
                await context.session.rollback()
            result.data = None
            result.errors = [_commit_error(exc, context.request_id)]

    def _is_mutation(self) -> bool:
        try:
            return self.execution_context.operation_type is OperationType.MUTATION
        except RuntimeError:
            return False


KERNEL_EXTENSIONS: tuple[type[SchemaExtension], ...] = (MaskUnexpectedErrors, UnitOfWork)


class _SkipErrorsTheKernelLogs(logging.Filter):
    """Strawberry logs every resolver error; the kernel logs unexpected ones with a request id
    and domain errors are normal outcomes, so only errors without a cause stay in its log."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (isinstance(record.msg, GraphQLError) and record.msg.original_error)


def quiet_strawberry_error_log() -> None:
    strawberry_logger = logging.getLogger("strawberry.execution")
    if not any(isinstance(f, _SkipErrorsTheKernelLogs) for f in strawberry_logger.filters):
        strawberry_logger.addFilter(_SkipErrorsTheKernelLogs())
