"""fraud's root mutation fields: administrators review held movements."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from subgraphs.kernel.context import SubgraphContext
from subgraphs.money.fraud import review
from subgraphs.money.fraud.inputs import ReviewHeldMovementInput
from subgraphs.money.fraud.types import FraudDecision


@strawberry.type
class FraudMutation:
    @strawberry.federation.mutation(
        authenticated=True,
        requires_scopes=[["admin"]],
        description=(
            "Administrators: approve a held movement; it executes now, with every check of the "
            "movement (balance, wallet status, limits) made again. Not pending review: CONFLICT; "
            "a failed check: its error, and the movement stays held."
        ),
    )
    async def approve_held_movement(
        self, info: Info[SubgraphContext, None], input: ReviewHeldMovementInput
    ) -> FraudDecision:
        decision = await review.approve_held_movement(
            info.context.session,
            viewer=info.context.viewer,
            decision_id=str(input.decision_id),
            note=input.note,
            request=info.context.request,
        )
        return FraudDecision.from_model(decision)

    @strawberry.federation.mutation(
        authenticated=True,
        requires_scopes=[["admin"]],
        description=(
            "Administrators: decline a held movement; no money moves. Not pending review: CONFLICT."
        ),
    )
    async def reject_held_movement(
        self, info: Info[SubgraphContext, None], input: ReviewHeldMovementInput
    ) -> FraudDecision:
        decision = await review.reject_held_movement(
            info.context.session,
            viewer=info.context.viewer,
            decision_id=str(input.decision_id),
            note=input.note,
        )
        return FraudDecision.from_model(decision)
