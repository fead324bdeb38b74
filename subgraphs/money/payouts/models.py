"""The payouts table (`money_payouts`). Amounts are integer minor units of `currency`.

A payout names the bank-account payment method it pays (the account number stays encrypted
on the method; only its last four digits are copied here, so a removed method still shows
where the money went)."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Enum,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from subgraphs.kernel.db import new_id, utcnow
from subgraphs.money.models import Base


class PayoutStatus(enum.Enum):
    PENDING = "PENDING"
    """The wallet is debited; the provider has not accepted the payout (yet): retry it."""
    IN_TRANSIT = "IN_TRANSIT"
    """The provider accepted it; its signed webhook says paid or failed."""
    PAID = "PAID"
    FAILED = "FAILED"
    """Refused or returned by the bank: the money is back in the wallet."""


class Payout(Base):
    __tablename__ = "money_payouts"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        Index("ix_money_payouts_owner_id_created_at_id", "owner_id", "created_at", "id"),
        UniqueConstraint("provider_reference", name="uq_money_payouts_provider_reference"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    owner_id: Mapped[str] = mapped_column(String(36))
    wallet_id: Mapped[str] = mapped_column(String(36), ForeignKey("money_wallets.id"))
    method_id: Mapped[str] = mapped_column(String(36), ForeignKey("money_payment_methods.id"))
    last4: Mapped[str] = mapped_column(String(4))
    status: Mapped[PayoutStatus] = mapped_column(
        Enum(PayoutStatus, native_enum=False, length=24, create_constraint=True, name="status")
    )
    amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    description: Mapped[str] = mapped_column(String(200))
    provider: Mapped[str] = mapped_column(String(32))
    provider_reference: Mapped[str | None] = mapped_column(String(64))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    retryable: Mapped[bool] = mapped_column(Boolean, default=False)
    failure_code: Mapped[str | None] = mapped_column(String(48))
    failure_message: Mapped[str | None] = mapped_column(String(300))
    requested_by: Mapped[str | None] = mapped_column(String(36))
    # The wallet's postings: the debit (wallet -> in transit) and, if it failed, the return.
    debit_posting_id: Mapped[str] = mapped_column(String(36))
    reversal_posting_id: Mapped[str | None] = mapped_column(String(36))
    # PAID: the journal transaction moving the money from in transit to settlement.
    settlement_transaction_id: Mapped[str | None] = mapped_column(String(36))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    paid_at: Mapped[datetime | None] = mapped_column()
    failed_at: Mapped[datetime | None] = mapped_column()
