"""money payments: payment methods, payment intents, refunds, provider webhooks, and the
orders commerce announced (their trusted amounts).

Revision ID: 5e1c0a7b2d94
Revises: c3e5a7b9d1f2
Create Date: 2026-11-29 04:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "5e1c0a7b2d94"
down_revision: str | Sequence[str] | None = "c3e5a7b9d1f2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# DateTime columns are subgraphs.kernel.db.UTCDateTime (stored as UTC); Text columns holding
# secrets are subgraphs.money.encryption.EncryptedText (ciphertext).


def upgrade() -> None:
    op.create_table(
        "money_payable_orders",
        sa.Column("order_id", sa.String(length=36), nullable=False),
        sa.Column("buyer_id", sa.String(length=36), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("payee_id", sa.String(length=36), nullable=True),
        sa.Column("cancelled", sa.Boolean(), nullable=False),
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("placed_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("amount > 0", name=op.f("ck_money_payable_orders_amount_positive")),
        sa.PrimaryKeyConstraint("order_id", name=op.f("pk_money_payable_orders")),
    )
    op.create_table(
        "money_rejected_webhooks",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("provider", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("remote_address", sa.String(length=64), nullable=True),
        sa.Column("body_sha256", sa.String(length=64), nullable=False),
        sa.Column("body_length", sa.Integer(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_money_rejected_webhooks")),
    )
    op.create_index(
        "ix_money_rejected_webhooks_received_at",
        "money_rejected_webhooks",
        ["received_at"],
        unique=False,
    )
    op.create_table(
        "money_webhook_events",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("provider", sa.String(length=32), nullable=False),
        sa.Column("provider_event_id", sa.String(length=64), nullable=False),
        sa.Column("type", sa.String(length=64), nullable=False),
        sa.Column("payment_id", sa.String(length=36), nullable=True),
        sa.Column("outcome", sa.String(length=200), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_money_webhook_events")),
        sa.UniqueConstraint("provider", "provider_event_id", name="uq_money_webhook_events_event"),
    )
    op.create_table(
        "money_payment_methods",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("owner_id", sa.String(length=36), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "CARD",
                "BANK_ACCOUNT",
                "WALLET",
                name="kind",
                native_enum=False,
                create_constraint=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("provider", sa.String(length=32), nullable=True),
        sa.Column("provider_token", sa.Text(), nullable=True),
        sa.Column("brand", sa.String(length=24), nullable=True),
        sa.Column("last4", sa.String(length=4), nullable=True),
        sa.Column("exp_month", sa.Integer(), nullable=True),
        sa.Column("exp_year", sa.Integer(), nullable=True),
        sa.Column("account_number", sa.Text(), nullable=True),
        sa.Column("holder_name", sa.String(length=200), nullable=True),
        sa.Column("bank_code", sa.String(length=34), nullable=True),
        sa.Column("wallet_id", sa.String(length=36), nullable=True),
        sa.Column("removed", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["wallet_id"],
            ["money_wallets.id"],
            name=op.f("fk_money_payment_methods_wallet_id_money_wallets"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_money_payment_methods")),
        sa.CheckConstraint(
            "kind IN ('CARD', 'BANK_ACCOUNT', 'WALLET')", name=op.f("ck_money_payment_methods_kind")
        ),
    )
    op.create_index(
        "ix_money_payment_methods_owner_id_created_at",
        "money_payment_methods",
        ["owner_id", "created_at"],
        unique=False,
    )
    op.create_table(
        "money_payments",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("payer_id", sa.String(length=36), nullable=False),
        sa.Column("payee_id", sa.String(length=36), nullable=True),
        sa.Column(
            "purpose",
            sa.Enum(
                "DEPOSIT",
                "ORDER",
                name="purpose",
                native_enum=False,
                create_constraint=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "CREATED",
                "REQUIRES_ACTION",
                "PROCESSING",
                "SUCCEEDED",
                "FAILED",
                "CANCELED",
                name="status",
                native_enum=False,
                create_constraint=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("method_id", sa.String(length=36), nullable=False),
        sa.Column(
            "method_kind",
            sa.Enum(
                "CARD",
                "BANK_ACCOUNT",
                "WALLET",
                name="method_kind",
                native_enum=False,
                create_constraint=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("wallet_id", sa.String(length=36), nullable=True),
        sa.Column("order_id", sa.String(length=36), nullable=True),
        sa.Column("provider_reference", sa.String(length=64), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("action_url", sa.String(length=300), nullable=True),
        sa.Column("failure_code", sa.String(length=48), nullable=True),
        sa.Column("failure_message", sa.String(length=300), nullable=True),
        sa.Column("retryable", sa.Boolean(), nullable=False),
        sa.Column("captured_transaction_id", sa.String(length=36), nullable=True),
        sa.Column("refunded_amount", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("succeeded_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("amount > 0", name=op.f("ck_money_payments_amount_positive")),
        sa.CheckConstraint(
            "refunded_amount >= 0 AND refunded_amount <= amount",
            name=op.f("ck_money_payments_refund_bounds"),
        ),
        sa.ForeignKeyConstraint(
            ["method_id"],
            ["money_payment_methods.id"],
            name=op.f("fk_money_payments_method_id_money_payment_methods"),
        ),
        sa.ForeignKeyConstraint(
            ["wallet_id"],
            ["money_wallets.id"],
            name=op.f("fk_money_payments_wallet_id_money_wallets"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_money_payments")),
        sa.CheckConstraint(
            "purpose IN ('DEPOSIT', 'ORDER')", name=op.f("ck_money_payments_purpose")
        ),
        sa.CheckConstraint(
            "status IN ('CREATED', 'REQUIRES_ACTION', 'PROCESSING', 'SUCCEEDED', 'FAILED', "
            "'CANCELED')",
            name=op.f("ck_money_payments_status"),
        ),
        sa.CheckConstraint(
            "method_kind IN ('CARD', 'BANK_ACCOUNT', 'WALLET')",
            name=op.f("ck_money_payments_method_kind"),
        ),
        sa.UniqueConstraint("provider_reference", name="uq_money_payments_provider_reference"),
    )
    op.create_index("ix_money_payments_created_at", "money_payments", ["created_at"], unique=False)
    op.create_index("ix_money_payments_order_id", "money_payments", ["order_id"], unique=False)
    op.create_index(
        "ix_money_payments_payee_id_created_at",
        "money_payments",
        ["payee_id", "created_at"],
        unique=False,
    )
    op.create_index(
        "ix_money_payments_payer_id_created_at_id",
        "money_payments",
        ["payer_id", "created_at", "id"],
        unique=False,
    )
    op.create_table(
        "money_refunds",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("payment_id", sa.String(length=36), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "SUCCEEDED",
                "FAILED",
                name="status",
                native_enum=False,
                create_constraint=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("requested_by", sa.String(length=36), nullable=True),
        sa.Column("transaction_id", sa.String(length=36), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("amount > 0", name=op.f("ck_money_refunds_amount_positive")),
        sa.ForeignKeyConstraint(
            ["payment_id"],
            ["money_payments.id"],
            name=op.f("fk_money_refunds_payment_id_money_payments"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_money_refunds")),
        sa.CheckConstraint(
            "status IN ('SUCCEEDED', 'FAILED')", name=op.f("ck_money_refunds_status")
        ),
    )
    op.create_index(
        "ix_money_refunds_payment_id_created_at",
        "money_refunds",
        ["payment_id", "created_at"],
        unique=False,
    )


def downgrade() -> None:

    op.drop_index("ix_money_refunds_payment_id_created_at", table_name="money_refunds")
    op.drop_table("money_refunds")
    op.drop_index("ix_money_payments_payer_id_created_at_id", table_name="money_payments")
    op.drop_index("ix_money_payments_payee_id_created_at", table_name="money_payments")
    op.drop_index("ix_money_payments_order_id", table_name="money_payments")
    op.drop_index("ix_money_payments_created_at", table_name="money_payments")
    op.drop_table("money_payments")
    op.drop_index(
        "ix_money_payment_methods_owner_id_created_at", table_name="money_payment_methods"
    )
    op.drop_table("money_payment_methods")
    op.drop_table("money_webhook_events")
    op.drop_index("ix_money_rejected_webhooks_received_at", table_name="money_rejected_webhooks")
    op.drop_table("money_rejected_webhooks")
    op.drop_table("money_payable_orders")
