"""observability's GraphQL enum: the domain enum itself, registered once with Strawberry."""

from __future__ import annotations

import strawberry

from subgraphs.observability.models import ServiceHealth

strawberry.enum(ServiceHealth, name="ServiceHealth", description="How a service answered a probe.")

__all__ = ["ServiceHealth"]
