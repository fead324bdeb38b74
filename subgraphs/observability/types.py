"""observability's GraphQL types: `ServiceStatus` is a value (one probe's outcome), no entity."""

from __future__ import annotations

from datetime import datetime

import strawberry

from subgraphs.observability import models
from subgraphs.observability.enums import ServiceHealth
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
