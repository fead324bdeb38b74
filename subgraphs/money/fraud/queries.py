"""fraud's root query fields."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from subgraphs.kernel.context import SubgraphContext
from subgraphs.kernel.pagination import Connection
from subgraphs.money.fraud import models, review
from subgraphs.money.fraud.types import FraudDecision, HeldMovement


@strawberry.type
class FraudQuery:
    @strawberry.federation.field(
        authenticated=True,
        requires_scopes=[["admin"]],
        description=(
            "Administrators: fraud decisions, newest first, optionally of one user, with given "
            "outcomes, or in a review status (PENDING: the review queue)."
        ),
    )
    async def fraud_decisions(
        self,
        info: Info[SubgraphContext, None],
        user_id: strawberry.ID | None = None,
        outcomes: list[models.FraudOutcome] | None = None,
        review_status: models.ReviewStatus | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[FraudDecision]:
        page = await review.list_fraud_decisions(
            info.context.session,
            viewer=info.context.viewer,
            user_id=str(user_id) if user_id is not None else None,
            outcomes=outcomes or (),
            review_status=review_status,
            first=first,
            after=after,
        )
        return Connection.from_page(page, FraudDecision.from_model)

    @strawberry.federation.field(
        authenticated=True,
        requires_scopes=[["admin"]],
        description="Administrators: one fraud decision by id, or null.",
    )
    async def fraud_decision(
        self, info: Info[SubgraphContext, None], id: strawberry.ID
    ) -> FraudDecision | None:
        found = await review.get_fraud_decision(
            info.context.session, viewer=info.context.viewer, decision_id=str(id)
        )
        return FraudDecision.from_model(found) if found is not None else None

    @strawberry.federation.field(
        authenticated=True,
        description=(
            "The signed-in user's movements held for a security review, newest first "
            "(optionally only those in one review status)."
        ),
    )
    async def held_movements(
        self,
        info: Info[SubgraphContext, None],
        review_status: models.ReviewStatus | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[HeldMovement]:
        page = await review.list_own_held_movements(
            info.context.session,
            viewer=info.context.viewer,
            review_status=review_status,
            first=first,
            after=after,
        )
        return Connection.from_page(page, HeldMovement.from_model)
