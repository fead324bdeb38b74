"""money trusty wallets: signer keys (metadata encrypted), M-of-N wallets, proposals, decisions

Revision ID: 0ad1b93e3e99
Revises: f4a2c8e1d9b3
Create Date: 2026-11-29 04:11:27.149257
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0ad1b93e3e99"
down_revision: str | Sequence[str] | None = "f4a2c8e1d9b3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # label and contact hold subgraphs.money.encryption.EncryptedText values (v1.<kid>.<data>).
    op.create_table(
        "money_trusty_signer_keys",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("public_key", sa.String(length=64), nullable=False),
        sa.Column("label", sa.Text(), nullable=False),
        sa.Column("contact", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_money_trusty_signer_keys")),
        sa.UniqueConstraint("public_key", name="uq_money_trusty_signer_keys_public_key"),
    )
    with op.batch_alter_table("money_trusty_signer_keys", schema=None) as batch_op:
        batch_op.create_index(
            "ix_money_trusty_signer_keys_user_id_created_at",
            ["user_id", "created_at"],
            unique=False,
        )

    op.create_table(
        "money_trusty_wallets",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("threshold", sa.Integer(), nullable=False),
        sa.Column("hot_account_id", sa.String(length=36), nullable=False),
        sa.Column("vault_account_id", sa.String(length=36), nullable=False),
        sa.Column("created_by", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "threshold >= 1", name=op.f("ck_money_trusty_wallets_threshold_positive")
        ),
        sa.ForeignKeyConstraint(
            ["hot_account_id"],
            ["money_accounts.id"],
            name=op.f("fk_money_trusty_wallets_hot_account_id_money_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["vault_account_id"],
            ["money_accounts.id"],
            name=op.f("fk_money_trusty_wallets_vault_account_id_money_accounts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_money_trusty_wallets")),
    )
    with op.batch_alter_table("money_trusty_wallets", schema=None) as batch_op:
        batch_op.create_index(
            "ix_money_trusty_wallets_created_at_id", ["created_at", "id"], unique=False
        )

    op.create_table(
        "money_trusty_proposals",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("trusty_wallet_id", sa.String(length=36), nullable=False),
        sa.Column(
            "source",
            sa.Enum(
                "HOT", "VAULT", name="source", native_enum=False, create_constraint=True, length=16
            ),
            nullable=False,
        ),
        sa.Column(
            "destination_type",
            sa.Enum(
                "WALLET",
                "TRUSTY_HOT",
                "TRUSTY_VAULT",
                name="destination_type",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("destination_id", sa.String(length=36), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("memo", sa.String(length=200), nullable=False),
        sa.Column("threshold", sa.Integer(), nullable=False),
        sa.Column("time_lock_seconds", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "PENDING",
                "TIME_LOCKED",
                "EXECUTED",
                "REJECTED",
                "EXPIRED",
                "CANCELLED",
                name="status",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("proposed_by", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("executable_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("executed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_by", sa.String(length=36), nullable=True),
        sa.Column("journal_transaction_id", sa.String(length=36), nullable=True),
        sa.CheckConstraint("amount > 0", name=op.f("ck_money_trusty_proposals_amount_positive")),
        sa.ForeignKeyConstraint(
            ["trusty_wallet_id"],
            ["money_trusty_wallets.id"],
            name=op.f("fk_money_trusty_proposals_trusty_wallet_id_money_trusty_wallets"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_money_trusty_proposals")),
    )
    with op.batch_alter_table("money_trusty_proposals", schema=None) as batch_op:
        batch_op.create_index(
            "ix_money_trusty_proposals_trusty_wallet_id_created_at_id",
            ["trusty_wallet_id", "created_at", "id"],
            unique=False,
        )

    op.create_table(
        "money_trusty_signers",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("trusty_wallet_id", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("signer_key_id", sa.String(length=36), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["signer_key_id"],
            ["money_trusty_signer_keys.id"],
            name=op.f("fk_money_trusty_signers_signer_key_id_money_trusty_signer_keys"),
        ),
        sa.ForeignKeyConstraint(
            ["trusty_wallet_id"],
            ["money_trusty_wallets.id"],
            name=op.f("fk_money_trusty_signers_trusty_wallet_id_money_trusty_wallets"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_money_trusty_signers")),
        sa.UniqueConstraint(
            "trusty_wallet_id", "user_id", name="uq_money_trusty_signers_trusty_wallet_id"
        ),
    )
    with op.batch_alter_table("money_trusty_signers", schema=None) as batch_op:
        batch_op.create_index("ix_money_trusty_signers_user_id", ["user_id"], unique=False)

    op.create_table(
        "money_trusty_decisions",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("proposal_id", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("signer_key_id", sa.String(length=36), nullable=False),
        sa.Column(
            "decision",
            sa.Enum(
                "APPROVE",
                "REJECT",
                name="decision",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("signature", sa.String(length=100), nullable=True),
        sa.Column("reason", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["money_trusty_proposals.id"],
            name=op.f("fk_money_trusty_decisions_proposal_id_money_trusty_proposals"),
        ),
        sa.ForeignKeyConstraint(
            ["signer_key_id"],
            ["money_trusty_signer_keys.id"],
            name=op.f("fk_money_trusty_decisions_signer_key_id_money_trusty_signer_keys"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_money_trusty_decisions")),
        sa.UniqueConstraint("proposal_id", "user_id", name="uq_money_trusty_decisions_proposal_id"),
    )


def downgrade() -> None:
    op.drop_table("money_trusty_decisions")
    with op.batch_alter_table("money_trusty_signers", schema=None) as batch_op:
        batch_op.drop_index("ix_money_trusty_signers_user_id")

    op.drop_table("money_trusty_signers")
    with op.batch_alter_table("money_trusty_proposals", schema=None) as batch_op:
        batch_op.drop_index("ix_money_trusty_proposals_trusty_wallet_id_created_at_id")

    op.drop_table("money_trusty_proposals")
    with op.batch_alter_table("money_trusty_wallets", schema=None) as batch_op:
        batch_op.drop_index("ix_money_trusty_wallets_created_at_id")

    op.drop_table("money_trusty_wallets")
    with op.batch_alter_table("money_trusty_signer_keys", schema=None) as batch_op:
        batch_op.drop_index("ix_money_trusty_signer_keys_user_id_created_at")

    op.drop_table("money_trusty_signer_keys")
