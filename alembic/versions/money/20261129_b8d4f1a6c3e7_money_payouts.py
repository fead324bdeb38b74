"""money payouts: withdrawals paid out to bank accounts through the payments provider
(`money_payouts`), and the payout a provider webhook concerned (`money_webhook_events.payout_id`).

Revision ID: b8d4f1a6c3e7
Revises: 9b2e4d6f8a10
Create Date: 2026-11-29 07:50:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "b8d4f1a6c3e7"
down_revision: str | Sequence[str] | None = "9b2e4d6f8a10"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# DateTime columns are subgraphs.kernel.db.UTCDateTime (stored as UTC).


def upgrade() -> None:
    op.create_table(
        "money_payouts",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("owner_id", sa.String(length=36), nullable=False),
        sa.Column("wallet_id", sa.String(length=36), nullable=False),
        sa.Column("method_id", sa.String(length=36), nullable=False),
        sa.Column("last4", sa.String(length=4), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "PENDING",
                "IN_TRANSIT",
                "PAID",
                "FAILED",
                name="status",
                native_enum=False,
                create_constraint=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("description", sa.String(length=200), nullable=False),
        sa.Column("provider", sa.String(length=32), nullable=False),
        sa.Column("provider_reference", sa.String(length=64), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("retryable", sa.Boolean(), nullable=False),
        sa.Column("failure_code", sa.String(length=48), nullable=True),
        sa.Column("failure_message", sa.String(length=300), nullable=True),
        sa.Column("requested_by", sa.String(length=36), nullable=True),
        sa.Column("debit_posting_id", sa.String(length=36), nullable=False),
        sa.Column("reversal_posting_id", sa.String(length=36), nullable=True),
        sa.Column("settlement_transaction_id", sa.String(length=36), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("paid_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("failed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("amount > 0", name=op.f("ck_money_payouts_amount_positive")),
        sa.CheckConstraint(
            "status IN ('PENDING', 'IN_TRANSIT', 'PAID', 'FAILED')",
            name=op.f("ck_money_payouts_status"),
        ),
        sa.ForeignKeyConstraint(
            ["method_id"],
            ["money_payment_methods.id"],
            name=op.f("fk_money_payouts_method_id_money_payment_methods"),
        ),
        sa.ForeignKeyConstraint(
            ["wallet_id"],
            ["money_wallets.id"],
            name=op.f("fk_money_payouts_wallet_id_money_wallets"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_money_payouts")),
        sa.UniqueConstraint("provider_reference", name="uq_money_payouts_provider_reference"),
    )
    op.create_index(
        "ix_money_payouts_owner_id_created_at_id",
        "money_payouts",
        ["owner_id", "created_at", "id"],
        unique=False,
    )
    with op.batch_alter_table("money_webhook_events") as batch:
        batch.add_column(sa.Column("payout_id", sa.String(length=36), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("money_webhook_events") as batch:
        batch.drop_column("payout_id")
    op.drop_index("ix_money_payouts_owner_id_created_at_id", table_name="money_payouts")
    op.drop_table("money_payouts")
