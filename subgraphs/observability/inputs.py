"""observability's GraphQL input types."""

from __future__ import annotations

import strawberry


@strawberry.input
class AcknowledgeAlertInput:
    id: strawberry.ID


@strawberry.input
class ResolveAlertInput:
    id: strawberry.ID
