"""money's tables (prefix `money_`).

A wallet's `balance` is a cache of the signed sum of its transactions, updated in the same
database transaction as every transaction row it summarises (see `services.py`).
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Enum,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from subgraphs.kernel.db import UTCDateTime, new_id, new_metadata, utcnow
from subgraphs.kernel.outbox import outbox_model


class Base(DeclarativeBase):
    metadata = new_metadata()
    type_annotation_map = {datetime: UTCDateTime}


Outbox = outbox_model(Base, "money")  # money_outbox: docs/events.md


class WalletStatus(enum.Enum):
    ACTIVE = "ACTIVE"
    FROZEN = "FROZEN"
    CLOSED = "CLOSED"


class TransactionKind(enum.Enum):
    DEPOSIT = "DEPOSIT"
    WITHDRAWAL = "WITHDRAWAL"
    TRANSFER_IN = "TRANSFER_IN"
    TRANSFER_OUT = "TRANSFER_OUT"

    @property
    def sign(self) -> int:
        """+1 when money enters the wallet, -1 when it leaves."""
        return 1 if self in (TransactionKind.DEPOSIT, TransactionKind.TRANSFER_IN) else -1


class Wallet(Base):
    __tablename__ = "money_wallets"
    __table_args__ = (
        UniqueConstraint("owner_id", "currency", name="uq_money_wallets_owner_id_currency"),
        CheckConstraint("balance >= 0", name="balance_not_negative"),
        Index("ix_money_wallets_created_at_id", "created_at", "id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    # identity's User id; no foreign key across subgraphs. Lookups by owner use the unique index.
    owner_id: Mapped[str] = mapped_column(String(36))
    currency: Mapped[str] = mapped_column(String(3))
    balance: Mapped[int] = mapped_column(BigInteger, default=0)
    status: Mapped[WalletStatus] = mapped_column(
        Enum(WalletStatus, native_enum=False, length=16, create_constraint=True, name="status"),
        default=WalletStatus.ACTIVE,
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Transaction(Base):
    __tablename__ = "money_transactions"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        Index("ix_money_transactions_wallet_id_created_at_id", "wallet_id", "created_at", "id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    wallet_id: Mapped[str] = mapped_column(String(36), ForeignKey("money_wallets.id"))
    kind: Mapped[TransactionKind] = mapped_column(
        Enum(TransactionKind, native_enum=False, length=16, create_constraint=True, name="kind")
    )
    # Always positive minor units; `kind` gives the direction. The currency is the wallet's,
    # kept on the row so a ledger line reads on its own.
    amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    description: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def signed_amount(self) -> int:
        return self.kind.sign * self.amount
