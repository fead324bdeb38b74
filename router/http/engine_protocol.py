"""The part of the query engine the HTTP pipeline relies on (``router.executor.QueryEngine``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, Protocol, TypeVar

from router.auth import Principal
from router.types import RequestContext

OperationType = Literal["query", "mutation", "subscription"]


class PreparedOperation(Protocol):
    @property
    def operation_type(self) -> OperationType: ...


Prepared = TypeVar("Prepared", bound=PreparedOperation)


class GraphQLEngine(Protocol[Prepared]):
    def prepare(
        self, document: str, operation_name: str | None, *, principal: Principal | None = None
    ) -> Prepared:
        """Parses, validates, authorizes (for ``principal``; None: anonymous) and plans
        (cached); raises ``RequestError`` for unusable documents."""
        ...

    async def execute(
        self,
        prepared: Prepared,
        variables: Mapping[str, Any] | None,
        context: RequestContext,
    ) -> dict[str, Any]:
        """Runs the operation; raises ``RequestError`` for unusable variables."""
        ...
