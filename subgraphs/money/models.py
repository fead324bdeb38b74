"""money's tables (prefix `money_`): a double-entry ledger and the wallets on it.

- `Account`: anything that holds money in one currency: a user's wallet (same id as the
  `Wallet`), a system account (`kind="system"`, one per currency and `purpose`: where deposits
  come from, where withdrawals go, fees...) or a feature's account (trusty wallets, vaults...).
  `balance` caches the sum of the account's postings; it is updated in the same database
  transaction as every posting (`ledger.post_journal_transaction`) and checked by
  `verification.verify_balances`.
- `JournalTransaction`: one movement of money, a hash-chained row (docs/money.md, "Tamper
  evidence") whose `Posting`s sum to zero per currency.
- `LedgerHead`: the one row every append locks, so the chain never forks.
- `IdempotencyRecord`: the first result of each (scope, key) of a money-moving mutation.

Feature packages (payments, trusty, fraud) declare their tables on this `Base`; the imports at
the end of this module register them in `Base.metadata`, which Alembic and the app read.
"""

from __future__ import annotations

import enum
import importlib
from datetime import datetime
from pathlib import Path

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Enum,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from subgraphs.kernel.db import UTCDateTime, new_id, new_metadata, utcnow
from subgraphs.kernel.outbox import outbox_model


class Base(DeclarativeBase):
    metadata = new_metadata()
    type_annotation_map = {datetime: UTCDateTime}


Outbox = outbox_model(Base, "money")  # money_outbox: docs/events.md

GENESIS_HASH = "0" * 64
"""The `previous_hash` of the first journal transaction."""


class WalletStatus(enum.Enum):
    ACTIVE = "ACTIVE"
    FROZEN = "FROZEN"
    CLOSED = "CLOSED"


class Account(Base):
    __tablename__ = "money_accounts"
    __table_args__ = (
        # System accounts are unique per currency and purpose (NULL purposes never clash).
        UniqueConstraint("currency", "purpose", name="uq_money_accounts_currency_purpose"),
        CheckConstraint(
            "minimum_balance IS NULL OR balance >= minimum_balance", name="balance_above_minimum"
        ),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    currency: Mapped[str] = mapped_column(String(3))
    # "wallet", "system", or a feature's kind ("trusty.wallet", "trusty.vault", ...).
    kind: Mapped[str] = mapped_column(String(32))
    purpose: Mapped[str | None] = mapped_column(String(64), default=None)
    balance: Mapped[int] = mapped_column(BigInteger, default=0)
    # The lowest balance postings may leave; NULL: unbounded (system accounts).
    minimum_balance: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Wallet(Base):
    __tablename__ = "money_wallets"
    __table_args__ = (
        UniqueConstraint("owner_id", "currency", name="uq_money_wallets_owner_id_currency"),
        Index("ix_money_wallets_created_at_id", "created_at", "id"),
    )

    # The wallet's ledger account has the same id.
    id: Mapped[str] = mapped_column(
        String(36), ForeignKey("money_accounts.id"), primary_key=True, default=new_id
    )
    # identity's User id; no foreign key across subgraphs. Lookups by owner use the unique index.
    owner_id: Mapped[str] = mapped_column(String(36))
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[WalletStatus] = mapped_column(
        Enum(WalletStatus, native_enum=False, length=16, create_constraint=True, name="status"),
        default=WalletStatus.ACTIVE,
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    account: Mapped[Account] = relationship(lazy="joined", innerjoin=True)

    @property
    def balance(self) -> int:
        """The cached balance of the wallet's account."""
        return self.account.balance


class JournalTransaction(Base):
    __tablename__ = "money_journal_transactions"
    __table_args__ = (
        UniqueConstraint("sequence", name="uq_money_journal_transactions_sequence"),
        Index("ix_money_journal_transactions_reference", "reference"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    sequence: Mapped[int] = mapped_column(BigInteger)
    # DEPOSIT, WITHDRAWAL, TRANSFER or a feature's kind (PAYMENT_CAPTURE, REFUND, ...).
    kind: Mapped[str] = mapped_column(String(32))
    memo: Mapped[str] = mapped_column(String(200))
    # What the movement belongs to, e.g. a payment intent id; free text, indexed.
    reference: Mapped[str | None] = mapped_column(String(100), default=None)
    # The user who asked for it (None: the platform itself, e.g. a webhook or the seed).
    initiated_by: Mapped[str | None] = mapped_column(String(36), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    previous_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    postings: Mapped[list[Posting]] = relationship(
        back_populates="journal_transaction", order_by="Posting.position", lazy="raise"
    )


class Posting(Base):
    __tablename__ = "money_postings"
    __table_args__ = (
        CheckConstraint("amount <> 0", name="amount_not_zero"),
        UniqueConstraint(
            "journal_transaction_id", "position", name="uq_money_postings_journal_position"
        ),
        Index("ix_money_postings_account_id_created_at_id", "account_id", "created_at", "id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    journal_transaction_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("money_journal_transactions.id")
    )
    position: Mapped[int] = mapped_column(Integer)
    account_id: Mapped[str] = mapped_column(String(36), ForeignKey("money_accounts.id"))
    # Signed minor units: positive adds to the account's balance, negative takes from it.
    amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    # The journal transaction's, copied so an account's history pages on one index.
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    journal_transaction: Mapped[JournalTransaction] = relationship(
        back_populates="postings", lazy="joined", innerjoin=True
    )


class LedgerHead(Base):
    """The chain's last link. Exactly one row (id 1); appending locks it (docs/money.md)."""

    __tablename__ = "money_ledger_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    sequence: Mapped[int] = mapped_column(BigInteger)
    hash: Mapped[str] = mapped_column(String(64))


class IdempotencyRecord(Base):
    __tablename__ = "money_idempotency_keys"
    __table_args__ = (
        UniqueConstraint("scope", "key", name="uq_money_idempotency_keys_scope"),
        Index("ix_money_idempotency_keys_created_at", "created_at"),  # retention
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    # Whose key it is: usually the acting user's id.
    scope: Mapped[str] = mapped_column(String(64))
    key: Mapped[str] = mapped_column(String(100))
    operation: Mapped[str] = mapped_column(String(64))
    request_hash: Mapped[str] = mapped_column(String(64))
    result: Mapped[dict[str, object] | None] = mapped_column(JSON, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


FEATURE_PACKAGES = ("payments", "trusty", "fraud", "payouts")


def _import_feature_models() -> None:
    """Feature packages put their tables on `Base`; importing their `models.py` here puts those
    tables in `Base.metadata` for Alembic (alembic/env.py) and the app, without a circular
    import (they import `Base` from this module, complete by the time this runs)."""
    here = Path(__file__).parent
    for package in FEATURE_PACKAGES:
        if (here / package / "models.py").exists():
            importlib.import_module(f"subgraphs.money.{package}.models")


_import_feature_models()
