"""fraud's GraphQL input types."""

from __future__ import annotations

import strawberry


@strawberry.input
class ReviewHeldMovementInput:
    decision_id: strawberry.ID = strawberry.field(
        description="The held movement's decision (the decisionId of its MOVEMENT_HELD error)."
    )
    note: str | None = strawberry.field(
        default=None, description="Why, for the record (at most 500 characters)."
    )
