"""Payments' tables (prefix `money_`). Amounts are integer minor units of `currency`.

Nothing here holds a card number: a card is a provider token (encrypted at rest) plus
brand/last4/expiry; a bank account number is encrypted at rest, only its last four digits are
kept in clear.
"""

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
from subgraphs.money.encryption import EncryptedText
from subgraphs.money.models import Base


def _enum(kind: type[enum.Enum], name: str) -> Enum:
    return Enum(kind, native_enum=False, length=24, create_constraint=True, name=name)


class PaymentMethodKind(enum.Enum):
    CARD = "CARD"
    BANK_ACCOUNT = "BANK_ACCOUNT"
    WALLET = "WALLET"


class PaymentPurpose(enum.Enum):
    DEPOSIT = "DEPOSIT"
    """Money from a card or bank account into the payer's own wallet."""
    ORDER = "ORDER"
    """Paying a commerce order (its amount is the one commerce announced)."""


class PaymentStatus(enum.Enum):
    CREATED = "CREATED"
    REQUIRES_ACTION = "REQUIRES_ACTION"
    PROCESSING = "PROCESSING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    CANCELED = "CANCELED"


class RefundStatus(enum.Enum):
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"


class PaymentMethod(Base):
    __tablename__ = "money_payment_methods"
    __table_args__ = (
        Index("ix_money_payment_methods_owner_id_created_at", "owner_id", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    owner_id: Mapped[str] = mapped_column(String(36))
    kind: Mapped[PaymentMethodKind] = mapped_column(_enum(PaymentMethodKind, "kind"))
    provider: Mapped[str | None] = mapped_column(String(32))
    # CARD: the provider's token, encrypted at rest. Never a card number.
    provider_token: Mapped[str | None] = mapped_column(
        EncryptedText("money_payment_methods.provider_token")
    )
    brand: Mapped[str | None] = mapped_column(String(24))
    last4: Mapped[str | None] = mapped_column(String(4))
    exp_month: Mapped[int | None] = mapped_column(Integer)
    exp_year: Mapped[int | None] = mapped_column(Integer)
    # BANK_ACCOUNT: the account number, encrypted at rest; holder name and bank code in clear.
    account_number: Mapped[str | None] = mapped_column(
        EncryptedText("money_payment_methods.account_number")
    )
    holder_name: Mapped[str | None] = mapped_column(String(200))
    bank_code: Mapped[str | None] = mapped_column(String(34))
    # WALLET: the payer's EHB wallet.
    wallet_id: Mapped[str | None] = mapped_column(String(36), ForeignKey("money_wallets.id"))
    removed: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PayableOrder(Base):
    """A commerce order as commerce announced it (`commerce.order.placed`): the trusted amount
    a payment of the order must match. Commerce's later events update `cancelled`."""

    __tablename__ = "money_payable_orders"
    __table_args__ = (CheckConstraint("amount > 0", name="amount_positive"),)

    order_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    buyer_id: Mapped[str] = mapped_column(String(36))
    amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    # The seller's user id when the order has exactly one seller (their analytics count it).
    payee_id: Mapped[str | None] = mapped_column(String(36))
    cancelled: Mapped[bool] = mapped_column(Boolean, default=False)
    event_id: Mapped[str] = mapped_column(String(64))
    placed_at: Mapped[datetime] = mapped_column(default=utcnow)


class Payment(Base):
    """A payment intent and, once it succeeds, the captured payment."""

    __tablename__ = "money_payments"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("refunded_amount >= 0 AND refunded_amount <= amount", name="refund_bounds"),
        Index("ix_money_payments_payer_id_created_at_id", "payer_id", "created_at", "id"),
        Index("ix_money_payments_order_id", "order_id"),
        Index("ix_money_payments_created_at", "created_at"),
        Index("ix_money_payments_payee_id_created_at", "payee_id", "created_at"),
        UniqueConstraint("provider_reference", name="uq_money_payments_provider_reference"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    payer_id: Mapped[str] = mapped_column(String(36))
    payee_id: Mapped[str | None] = mapped_column(String(36))
    purpose: Mapped[PaymentPurpose] = mapped_column(_enum(PaymentPurpose, "purpose"))
    status: Mapped[PaymentStatus] = mapped_column(_enum(PaymentStatus, "status"))
    amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    method_id: Mapped[str] = mapped_column(String(36), ForeignKey("money_payment_methods.id"))
    method_kind: Mapped[PaymentMethodKind] = mapped_column(_enum(PaymentMethodKind, "method_kind"))
    wallet_id: Mapped[str | None] = mapped_column(String(36), ForeignKey("money_wallets.id"))
    order_id: Mapped[str | None] = mapped_column(String(36))
    provider_reference: Mapped[str | None] = mapped_column(String(64))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # REQUIRES_ACTION: where the payer completes the provider's challenge.
    action_url: Mapped[str | None] = mapped_column(String(300))
    failure_code: Mapped[str | None] = mapped_column(String(48))
    failure_message: Mapped[str | None] = mapped_column(String(300))
    retryable: Mapped[bool] = mapped_column(Boolean, default=False)
    captured_transaction_id: Mapped[str | None] = mapped_column(String(36))
    refunded_amount: Mapped[int] = mapped_column(BigInteger, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    succeeded_at: Mapped[datetime | None] = mapped_column()


class Refund(Base):
    __tablename__ = "money_refunds"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        Index("ix_money_refunds_payment_id_created_at", "payment_id", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    payment_id: Mapped[str] = mapped_column(String(36), ForeignKey("money_payments.id"))
    amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[RefundStatus] = mapped_column(_enum(RefundStatus, "status"))
    reason: Mapped[str] = mapped_column(String(200))
    requested_by: Mapped[str | None] = mapped_column(String(36))
    transaction_id: Mapped[str | None] = mapped_column(String(36))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class WebhookEvent(Base):
    """A provider event accepted once (its signature verified), by the provider's event id."""

    __tablename__ = "money_webhook_events"
    __table_args__ = (
        UniqueConstraint("provider", "provider_event_id", name="uq_money_webhook_events_event"),
        Index("ix_money_webhook_events_received_at", "received_at"),  # retention
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    provider: Mapped[str] = mapped_column(String(32))
    provider_event_id: Mapped[str] = mapped_column(String(64))
    type: Mapped[str] = mapped_column(String(64))
    payment_id: Mapped[str | None] = mapped_column(String(36))
    payout_id: Mapped[str | None] = mapped_column(String(36))
    outcome: Mapped[str] = mapped_column(String(200))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)


class RejectedWebhook(Base):
    """A webhook refused before it was read (bad or stale signature): kept for investigation."""

    __tablename__ = "money_rejected_webhooks"
    __table_args__ = (Index("ix_money_rejected_webhooks_received_at", "received_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    provider: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(String(200))
    remote_address: Mapped[str | None] = mapped_column(String(64))
    body_sha256: Mapped[str] = mapped_column(String(64))
    body_length: Mapped[int] = mapped_column(Integer)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
