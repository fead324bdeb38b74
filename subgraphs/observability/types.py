"""observability's GraphQL types: `ServiceStatus` (one probe's outcome) and `Alert`; no entities."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry

from subgraphs.observability import models
from subgraphs.observability.alerts import alert_message
from subgraphs.observability.enums import AlertSeverity, AlertStatus, ServiceHealth
from subgraphs.observability.probe import ProbeResult


@strawberry.type(description="One probe of a service's health endpoint.")
class ServiceStatus:
    name: str
    url: str = strawberry.field(description="The health endpoint that was probed.")
    status: ServiceHealth
    version: str | None = strawberry.field(description="As the service reported it, if it did.")
    latency_ms: int | None = strawberry.field(description="Null when there was no answer.")
    checked_at: datetime
    error: str | None = strawberry.field(description="Why the service is not UP.")

    @classmethod
    def from_result(cls, result: ProbeResult) -> ServiceStatus:
        return cls(
            name=result.name,
            url=result.url,
            status=result.health,
            version=result.version,
            latency_ms=result.latency_ms,
            checked_at=result.checked_at,
            error=result.error,
        )

    @classmethod
    def from_model(cls, check: models.ServiceCheck) -> ServiceStatus:
        return cls(
            name=check.name,
            url=check.url,
            status=check.health,
            version=check.version,
            latency_ms=check.latency_ms,
            checked_at=check.checked_at,
            error=check.error,
        )


@strawberry.type(
    description=(
        "Something operators should look at, raised by a rule (a failing health check, a burst "
        "of failed sign-ins, payment failures). Repeats of the same problem (`dedupKey`) update "
        "one unresolved alert: `count` and `lastSeenAt`."
    )
)
class Alert:
    id: strawberry.ID
    dedup_key: str
    source: str = strawberry.field(description="The service or domain it is about.")
    severity: AlertSeverity
    status: AlertStatus
    title: str
    description: str
    count: int = strawberry.field(description="How many times the problem was seen.")
    first_seen_at: datetime
    last_seen_at: datetime
    acknowledged_at: datetime | None
    acknowledged_by: strawberry.ID | None = strawberry.field(description="The operator's user id.")
    resolved_at: datetime | None
    resolved_by: strawberry.ID | None = strawberry.field(
        description="The operator's user id; null when its rule saw the problem end."
    )

    @classmethod
    def from_model(cls, alert: models.Alert) -> Alert:
        return cls.from_message(alert_message(alert))

    @classmethod
    def from_message(cls, message: dict[str, Any]) -> Alert:
        def when(key: str) -> datetime | None:
            value = message.get(key)
            return datetime.fromisoformat(value) if isinstance(value, str) else None

        def who(key: str) -> strawberry.ID | None:
            value = message.get(key)
            return strawberry.ID(value) if isinstance(value, str) else None

        first_seen, last_seen = when("firstSeenAt"), when("lastSeenAt")
        assert first_seen is not None and last_seen is not None
        return cls(
            id=strawberry.ID(message["id"]),
            dedup_key=message["dedupKey"],
            source=message["source"],
            severity=AlertSeverity(message["severity"]),
            status=AlertStatus(message["status"]),
            title=message["title"],
            description=message.get("description") or "",
            count=int(message["count"]),
            first_seen_at=first_seen,
            last_seen_at=last_seen,
            acknowledged_at=when("acknowledgedAt"),
            acknowledged_by=who("acknowledgedBy"),
            resolved_at=when("resolvedAt"),
            resolved_by=who("resolvedBy"),
        )
