"""observability's GraphQL enums: the domain enums themselves, registered once with Strawberry."""

from __future__ import annotations

import strawberry

from subgraphs.observability.models import AlertSeverity, AlertStatus, ServiceHealth

strawberry.enum(ServiceHealth, name="ServiceHealth", description="How a service answered a probe.")

strawberry.enum(
    AlertSeverity,
    name="AlertSeverity",
    description="How urgent an alert is: INFO < WARNING < CRITICAL.",
)
strawberry.enum(
    AlertStatus,
    name="AlertStatus",
    description="OPEN until someone acknowledges it; RESOLVED by an operator or by its rule.",
)

__all__ = ["AlertSeverity", "AlertStatus", "ServiceHealth"]
