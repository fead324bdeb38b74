"""Trusty wallets' tables (prefix `money_trusty_`), on money's `Base`.

A trusty wallet owns two ledger accounts (`money_accounts`): `hot` (kind `trusty.hot`) and the
cold-storage `vault` (kind `trusty.vault`), both with minimum balance 0. Signer metadata
(`label`, `contact`) is encrypted at rest (`subgraphs.money.encryption.EncryptedText`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
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
from subgraphs.money.trusty.states import (
    Decision,
    DestinationType,
    ProposalStatus,
    TrustyAccount,
)

HOT_ACCOUNT_KIND = "trusty.hot"
VAULT_ACCOUNT_KIND = "trusty.vault"


def _enum(enum_class: type, name: str) -> Enum:
    return Enum(enum_class, native_enum=False, length=16, create_constraint=True, name=name)


class SignerKey(Base):
    __tablename__ = "money_trusty_signer_keys"
    __table_args__ = (
        UniqueConstraint("public_key", name="uq_money_trusty_signer_keys_public_key"),
        Index("ix_money_trusty_signer_keys_user_id_created_at", "user_id", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    user_id: Mapped[str] = mapped_column(String(36))
    # Raw 32 bytes as unpadded base64url (43 characters): public, so stored plain.
    public_key: Mapped[str] = mapped_column(String(64))
    label: Mapped[str] = mapped_column(EncryptedText("money_trusty_signer_keys.label"))
    contact: Mapped[str | None] = mapped_column(
        EncryptedText("money_trusty_signer_keys.contact"), default=None
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class TrustyWallet(Base):
    __tablename__ = "money_trusty_wallets"
    __table_args__ = (
        CheckConstraint("threshold >= 1", name="threshold_positive"),
        Index("ix_money_trusty_wallets_created_at_id", "created_at", "id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(100))
    currency: Mapped[str] = mapped_column(String(3))
    threshold: Mapped[int] = mapped_column(Integer)
    hot_account_id: Mapped[str] = mapped_column(String(36), ForeignKey("money_accounts.id"))
    vault_account_id: Mapped[str] = mapped_column(String(36), ForeignKey("money_accounts.id"))
    created_by: Mapped[str] = mapped_column(String(36))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class TrustySigner(Base):
    """One of a trusty wallet's N signers, with the key they sign with."""

    __tablename__ = "money_trusty_signers"
    __table_args__ = (
        UniqueConstraint(
            "trusty_wallet_id", "user_id", name="uq_money_trusty_signers_trusty_wallet_id"
        ),
        Index("ix_money_trusty_signers_user_id", "user_id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    trusty_wallet_id: Mapped[str] = mapped_column(String(36), ForeignKey("money_trusty_wallets.id"))
    user_id: Mapped[str] = mapped_column(String(36))
    signer_key_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("money_trusty_signer_keys.id")
    )
    position: Mapped[int] = mapped_column(Integer)


class Proposal(Base):
    __tablename__ = "money_trusty_proposals"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        Index(
            "ix_money_trusty_proposals_trusty_wallet_id_created_at_id",
            "trusty_wallet_id",
            "created_at",
            "id",
        ),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    trusty_wallet_id: Mapped[str] = mapped_column(String(36), ForeignKey("money_trusty_wallets.id"))
    source: Mapped[TrustyAccount] = mapped_column(_enum(TrustyAccount, "source"))
    destination_type: Mapped[DestinationType] = mapped_column(
        _enum(DestinationType, "destination_type")
    )
    # A money wallet's id (WALLET) or this trusty wallet's id (TRUSTY_HOT / TRUSTY_VAULT).
    destination_id: Mapped[str] = mapped_column(String(36))
    amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    memo: Mapped[str] = mapped_column(String(200))
    # Copied from the wallet and settings when proposed: both are part of what signers sign.
    threshold: Mapped[int] = mapped_column(Integer)
    time_lock_seconds: Mapped[int] = mapped_column(Integer)
    status: Mapped[ProposalStatus] = mapped_column(
        _enum(ProposalStatus, "status"), default=ProposalStatus.PENDING
    )
    proposed_by: Mapped[str] = mapped_column(String(36))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    approved_at: Mapped[datetime | None] = mapped_column(default=None)
    executable_at: Mapped[datetime | None] = mapped_column(default=None)
    executed_at: Mapped[datetime | None] = mapped_column(default=None)
    closed_at: Mapped[datetime | None] = mapped_column(default=None)
    closed_by: Mapped[str | None] = mapped_column(String(36), default=None)
    journal_transaction_id: Mapped[str | None] = mapped_column(String(36), default=None)


class ProposalDecision(Base):
    """A signer's approval (with its signature) or rejection of a proposal; one per signer."""

    __tablename__ = "money_trusty_decisions"
    __table_args__ = (
        UniqueConstraint("proposal_id", "user_id", name="uq_money_trusty_decisions_proposal_id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    proposal_id: Mapped[str] = mapped_column(String(36), ForeignKey("money_trusty_proposals.id"))
    user_id: Mapped[str] = mapped_column(String(36))
    signer_key_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("money_trusty_signer_keys.id")
    )
    decision: Mapped[Decision] = mapped_column(_enum(Decision, "decision"))
    # Base64url of the 64-byte Ed25519 signature over the canonical content (approvals).
    signature: Mapped[str | None] = mapped_column(String(100), default=None)
    reason: Mapped[str | None] = mapped_column(String(200), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
