"""money initial: wallets and their transactions.

Revision ID: 7d3e9a41c2b5
Revises:
Create Date: 2026-11-28 19:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "7d3e9a41c2b5"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("money",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "money_wallets",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("owner_id", sa.String(length=36), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("balance", sa.BigInteger(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "ACTIVE",
                "FROZEN",
                "CLOSED",
                name="status",
                native_enum=False,
                create_constraint=False,
                length=16,
            ),
            nullable=False,
        ),
        # subgraphs.kernel.db.UTCDateTime stores this column as UTC.
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_money_wallets")),
        sa.UniqueConstraint("owner_id", "currency", name="uq_money_wallets_owner_id_currency"),
        sa.CheckConstraint("balance >= 0", name=op.f("ck_money_wallets_balance_not_negative")),
        sa.CheckConstraint(
            "status IN ('ACTIVE', 'FROZEN', 'CLOSED')", name=op.f("ck_money_wallets_status")
        ),
    )
    op.create_index(
        "ix_money_wallets_created_at_id", "money_wallets", ["created_at", "id"], unique=False
    )
    op.create_table(
        "money_transactions",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("wallet_id", sa.String(length=36), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "DEPOSIT",
                "WITHDRAWAL",
                "TRANSFER_IN",
                "TRANSFER_OUT",
                name="kind",
                native_enum=False,
                create_constraint=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("description", sa.String(length=200), nullable=False),
        # subgraphs.kernel.db.UTCDateTime stores this column as UTC.
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["wallet_id"],
            ["money_wallets.id"],
            name=op.f("fk_money_transactions_wallet_id_money_wallets"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_money_transactions")),
        sa.CheckConstraint("amount > 0", name=op.f("ck_money_transactions_amount_positive")),
        sa.CheckConstraint(
            "kind IN ('DEPOSIT', 'WITHDRAWAL', 'TRANSFER_IN', 'TRANSFER_OUT')",
            name=op.f("ck_money_transactions_kind"),
        ),
    )
    op.create_index(
        "ix_money_transactions_wallet_id_created_at_id",
        "money_transactions",
        ["wallet_id", "created_at", "id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_money_transactions_wallet_id_created_at_id", table_name="money_transactions")
    op.drop_table("money_transactions")
    op.drop_index("ix_money_wallets_created_at_id", table_name="money_wallets")
    op.drop_table("money_wallets")
