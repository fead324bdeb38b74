"""observability's root query fields (thin: probe or page, then map).

Access (issue 4): operators and administrators only (`@requiresScopes(operator | admin)`, checked
here too for callers that bypass the router). Service health is not public through GraphQL: each
`services` call probes every service and writes history rows (a lever for load), and the answers
name internal URLs and error details. Public liveness stays each service's `GET /health`."""

from __future__ import annotations

from typing import Final

import strawberry
from strawberry.types import Info

from subgraphs.kernel.context import SubgraphContext
from subgraphs.kernel.pagination import Connection
from subgraphs.observability import alerts, services
from subgraphs.observability.enums import AlertSeverity, AlertStatus
from subgraphs.observability.runtime import probe_and_record
from subgraphs.observability.types import Alert, ServiceStatus

OPERATORS: Final = ("operator", "admin")


@strawberry.type
class Query:
    @strawberry.federation.field(
        requires_scopes=[["operator"], ["admin"]],
        description=(
            "Operators and administrators: every observed service probed now (concurrently); "
            "each probe is kept."
        ),
    )
    async def services(self, info: Info[SubgraphContext, None]) -> list[ServiceStatus] | None:
        info.context.viewer.require_scope(*OPERATORS)
        results = await probe_and_record(info.context.request)
        return [ServiceStatus.from_result(result) for result in results]

    @strawberry.federation.field(
        requires_scopes=[["operator"], ["admin"]],
        description="Operators and administrators: past probes of one service, newest first.",
    )
    async def service_history(
        self,
        info: Info[SubgraphContext, None],
        name: str,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[ServiceStatus] | None:
        info.context.viewer.require_scope(*OPERATORS)
        page = await services.list_checks(info.context.session, name=name, first=first, after=after)
        return Connection.from_page(page, ServiceStatus.from_model)

    @strawberry.federation.field(
        requires_scopes=[["operator"], ["admin"]],
        description=(
            "Operators and administrators: alerts newest first, optionally only those in "
            "`status` and at least `minSeverity`."
        ),
    )
    async def alerts(
        self,
        info: Info[SubgraphContext, None],
        first: int | None = None,
        after: str | None = None,
        status: list[AlertStatus] | None = None,
        min_severity: AlertSeverity = AlertSeverity.INFO,
    ) -> Connection[Alert] | None:
        info.context.viewer.require_scope(*OPERATORS)
        page = await alerts.list_alerts(
            info.context.session,
            statuses=status,
            min_severity=min_severity,
            first=first,
            after=after,
        )
        return Connection.from_page(page, Alert.from_model)
