"""The fraud decision log (`money_fraud_decisions`): one row per screened outgoing movement.

A HELD row keeps the movement's arguments (`request`) so an approval can execute it later;
`review_status` tracks the review (PENDING -> APPROVED or REJECTED). PASSED and BLOCKED rows
have no review."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Enum, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from subgraphs.kernel.db import new_id, utcnow
from subgraphs.money.models import Base


class MovementKind(enum.Enum):
    TRANSFER = "TRANSFER"
    WITHDRAWAL = "WITHDRAWAL"
    PAYMENT = "PAYMENT"


class FraudOutcome(enum.Enum):
    PASSED = "PASSED"
    HELD = "HELD"
    BLOCKED = "BLOCKED"


class ReviewStatus(enum.Enum):
    PENDING = "PENDING"
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"


def _enum(kind: type[enum.Enum], name: str) -> Enum:
    return Enum(kind, native_enum=False, length=16, create_constraint=True, name=name)


class FraudDecision(Base):
    __tablename__ = "money_fraud_decisions"
    __table_args__ = (
        Index("ix_money_fraud_decisions_user_id_created_at", "user_id", "created_at"),
        Index("ix_money_fraud_decisions_device_id_created_at", "device_id", "created_at"),
        Index("ix_money_fraud_decisions_client_address_created_at", "client_address", "created_at"),
        Index("ix_money_fraud_decisions_created_at_id", "created_at", "id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    user_id: Mapped[str] = mapped_column(String(36))
    kind: Mapped[MovementKind] = mapped_column(_enum(MovementKind, "kind"))
    amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    source_wallet_id: Mapped[str | None] = mapped_column(String(36), default=None)
    payment_method_id: Mapped[str | None] = mapped_column(String(36), default=None)
    client_address: Mapped[str | None] = mapped_column(String(45), default=None)
    device_id: Mapped[str | None] = mapped_column(String(128), default=None)
    idempotency_key: Mapped[str | None] = mapped_column(String(128), default=None)
    score: Mapped[int] = mapped_column(Integer)
    outcome: Mapped[FraudOutcome] = mapped_column(_enum(FraudOutcome, "outcome"))
    # [{"rule": "USER_VELOCITY", "points": 40, "detail": "..."}]
    reasons: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # HELD only: the arguments the movement's executor needs on approval.
    request: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    review_status: Mapped[ReviewStatus | None] = mapped_column(
        _enum(ReviewStatus, "review_status"), default=None
    )
    reviewer_id: Mapped[str | None] = mapped_column(String(36), default=None)
    review_note: Mapped[str | None] = mapped_column(String(500), default=None)
    reviewed_at: Mapped[datetime | None] = mapped_column(default=None)
    # The id of what the approved movement produced (a transaction, transfer or payment).
    result_id: Mapped[str | None] = mapped_column(String(36), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
