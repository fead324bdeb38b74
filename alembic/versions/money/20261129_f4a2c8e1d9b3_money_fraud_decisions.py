"""money fraud: the decision log of screened outgoing movements.

Revision ID: f4a2c8e1d9b3
Revises: 5e1c0a7b2d94
Create Date: 2026-11-29 04:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "f4a2c8e1d9b3"
down_revision: str | Sequence[str] | None = "5e1c0a7b2d94"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=False, length=16)


def upgrade() -> None:
    op.create_table(
        "money_fraud_decisions",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("kind", _enum("kind", "TRANSFER", "WITHDRAWAL", "PAYMENT"), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("source_wallet_id", sa.String(length=36), nullable=True),
        sa.Column("payment_method_id", sa.String(length=36), nullable=True),
        sa.Column("client_address", sa.String(length=45), nullable=True),
        sa.Column("device_id", sa.String(length=128), nullable=True),
        sa.Column("idempotency_key", sa.String(length=128), nullable=True),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("outcome", _enum("outcome", "PASSED", "HELD", "BLOCKED"), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("request", sa.JSON(), nullable=True),
        sa.Column(
            "review_status",
            _enum("review_status", "PENDING", "APPROVED", "REJECTED"),
            nullable=True,
        ),
        sa.Column("reviewer_id", sa.String(length=36), nullable=True),
        sa.Column("review_note", sa.String(length=500), nullable=True),
        # subgraphs.kernel.db.UTCDateTime stores these columns as UTC.
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("result_id", sa.String(length=36), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_money_fraud_decisions")),
        sa.CheckConstraint(
            "kind IN ('TRANSFER', 'WITHDRAWAL', 'PAYMENT')",
            name=op.f("ck_money_fraud_decisions_kind"),
        ),
        sa.CheckConstraint(
            "outcome IN ('PASSED', 'HELD', 'BLOCKED')",
            name=op.f("ck_money_fraud_decisions_outcome"),
        ),
        sa.CheckConstraint(
            "review_status IN ('PENDING', 'APPROVED', 'REJECTED')",
            name=op.f("ck_money_fraud_decisions_review_status"),
        ),
    )
    for name, columns in (
        ("ix_money_fraud_decisions_user_id_created_at", ["user_id", "created_at"]),
        ("ix_money_fraud_decisions_device_id_created_at", ["device_id", "created_at"]),
        ("ix_money_fraud_decisions_client_address_created_at", ["client_address", "created_at"]),
        ("ix_money_fraud_decisions_created_at_id", ["created_at", "id"]),
    ):
        op.create_index(name, "money_fraud_decisions", columns, unique=False)


def downgrade() -> None:
    op.drop_table("money_fraud_decisions")
