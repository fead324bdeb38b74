"""fraud's GraphQL types: the decision log for administrators (`FraudDecision`, with score and
reasons) and a user's view of their own held movements (`HeldMovement`, without them: the
rules are not for fraudsters to tune against)."""

from __future__ import annotations

from datetime import datetime

import strawberry

from subgraphs.kernel.scalars import Money
from subgraphs.money.fraud import models

strawberry.enum(
    models.MovementKind, name="MovementKind", description="What kind of outgoing movement."
)
strawberry.enum(
    models.FraudOutcome,
    name="FraudOutcome",
    description="PASSED: the movement went ahead; HELD: it waits for review; BLOCKED: refused.",
)
strawberry.enum(
    models.ReviewStatus,
    name="FraudReviewStatus",
    description="A held movement's review: PENDING, APPROVED (executed) or REJECTED.",
)


@strawberry.type(description="Why a rule added points to a movement's fraud score.")
class FraudReason:
    rule: str = strawberry.field(description="e.g. USER_VELOCITY, AMOUNT_SPIKE.")
    points: int
    detail: str


@strawberry.type(description="One screened outgoing movement (administrators only).")
class FraudDecision:
    id: strawberry.ID
    user_id: strawberry.ID
    kind: models.MovementKind
    amount: Money
    source_wallet_id: strawberry.ID | None
    payment_method_id: strawberry.ID | None
    client_address: str | None
    device_id: str | None
    score: int
    outcome: models.FraudOutcome
    reasons: list[FraudReason]
    review_status: models.ReviewStatus | None
    reviewer_id: strawberry.ID | None
    review_note: str | None
    reviewed_at: datetime | None
    result_id: strawberry.ID | None = strawberry.field(
        description="What an approved movement produced (a transaction, transfer or payment)."
    )
    created_at: datetime

    @classmethod
    def from_model(cls, row: models.FraudDecision) -> FraudDecision:
        return cls(
            id=strawberry.ID(row.id),
            user_id=strawberry.ID(row.user_id),
            kind=row.kind,
            amount=Money.of(row.amount, row.currency),
            source_wallet_id=_id(row.source_wallet_id),
            payment_method_id=_id(row.payment_method_id),
            client_address=row.client_address,
            device_id=row.device_id,
            score=row.score,
            outcome=row.outcome,
            reasons=[
                FraudReason(
                    rule=str(reason.get("rule", "")),
                    points=int(reason.get("points", 0)),
                    detail=str(reason.get("detail", "")),
                )
                for reason in row.reasons
            ],
            review_status=row.review_status,
            reviewer_id=_id(row.reviewer_id),
            review_note=row.review_note,
            reviewed_at=row.reviewed_at,
            result_id=_id(row.result_id),
            created_at=row.created_at,
        )


@strawberry.type(description="One of the signed-in user's movements held for a security review.")
class HeldMovement:
    id: strawberry.ID = strawberry.field(description="The decision id errors give as decisionId.")
    kind: models.MovementKind
    amount: Money
    source_wallet_id: strawberry.ID | None
    review_status: models.ReviewStatus
    reviewed_at: datetime | None
    result_id: strawberry.ID | None
    created_at: datetime

    @classmethod
    def from_model(cls, row: models.FraudDecision) -> HeldMovement:
        return cls(
            id=strawberry.ID(row.id),
            kind=row.kind,
            amount=Money.of(row.amount, row.currency),
            source_wallet_id=_id(row.source_wallet_id),
            review_status=row.review_status or models.ReviewStatus.PENDING,
            reviewed_at=row.reviewed_at,
            result_id=_id(row.result_id),
            created_at=row.created_at,
        )


def _id(value: str | None) -> strawberry.ID | None:
    return strawberry.ID(value) if value is not None else None
