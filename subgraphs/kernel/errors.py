"""Domain errors and their stable GraphQL `extensions.code`.

Raise these from services and resolvers; graphql-core copies `extensions` onto the GraphQL
error, so the client sees e.g. `{"message": "...", "extensions": {"code": "NOT_FOUND"}}`.
Anything else raised while resolving a field is masked by `subgraphs.kernel.extensions`.
"""

from __future__ import annotations

from typing import Any, ClassVar


class DomainError(Exception):
    """Base of every error a subgraph raises on purpose; its message reaches the client."""

    code: ClassVar[str] = "BAD_USER_INPUT"

    def __init__(self, message: str, **extra_extensions: Any) -> None:
        super().__init__(message)
        self.message = message
        self.extensions: dict[str, Any] = {"code": self.code, **extra_extensions}


class BadUserInput(DomainError):
    """The arguments are well-typed but invalid (bad email, empty name, `first` out of range)."""

    code = "BAD_USER_INPUT"


class Unauthenticated(DomainError):
    """The operation needs a signed-in viewer."""

    code = "UNAUTHENTICATED"


class Forbidden(DomainError):
    """The viewer is known but may not do this."""

    code = "FORBIDDEN"


class NotFound(DomainError):
    """A referenced object does not exist (nullable lookups return null instead)."""

    code = "NOT_FOUND"


class Conflict(DomainError):
    """The change clashes with current state (duplicate email, stale version...)."""

    code = "CONFLICT"


class ServiceUnavailable(DomainError):
    """A backing service (database, broadcaster) cannot be reached right now; the same request
    may succeed later. Raised by the kernel, not by domain code."""

    code = "SERVICE_UNAVAILABLE"


class DatabaseUnavailable(ServiceUnavailable):
    """The subgraph's database refused or dropped the connection, or none was free in time."""

    code = "DATABASE_UNAVAILABLE"


class EventsUnavailable(ServiceUnavailable):
    """The event bus's broadcaster (Redis, PostgreSQL) cannot be reached: a subscription cannot
    start, or has ended because events may have been missed. Subscribe again later."""

    code = "EVENTS_UNAVAILABLE"


INTERNAL_SERVER_ERROR = "INTERNAL_SERVER_ERROR"

__all__ = [
    "INTERNAL_SERVER_ERROR",
    "BadUserInput",
    "Conflict",
    "DatabaseUnavailable",
    "DomainError",
    "EventsUnavailable",
    "Forbidden",
    "NotFound",
    "ServiceUnavailable",
    "Unauthenticated",
]
