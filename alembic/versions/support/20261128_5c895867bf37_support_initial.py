"""support initial: the tickets table.

Revision ID: 5c895867bf37
Revises:
Create Date: 2026-11-28 19:37:25.891342
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5c895867bf37"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("support",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "support_tickets",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("requester_id", sa.String(length=36), nullable=False),
        sa.Column("order_id", sa.String(length=36), nullable=True),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "OPEN",
                "IN_PROGRESS",
                "WAITING_ON_CUSTOMER",
                "RESOLVED",
                "CLOSED",
                name="status",
                native_enum=False,
                create_constraint=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column(
            "priority",
            sa.Enum(
                "LOW",
                "NORMAL",
                "HIGH",
                "URGENT",
                name="priority",
                native_enum=False,
                create_constraint=False,
                length=16,
            ),
            nullable=False,
        ),
        # subgraphs.kernel.db.UTCDateTime stores these columns as UTC.
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_support_tickets")),
        sa.CheckConstraint(
            "status IN ('OPEN', 'IN_PROGRESS', 'WAITING_ON_CUSTOMER', 'RESOLVED', 'CLOSED')",
            name=op.f("ck_support_tickets_status"),
        ),
        sa.CheckConstraint(
            "priority IN ('LOW', 'NORMAL', 'HIGH', 'URGENT')",
            name=op.f("ck_support_tickets_priority"),
        ),
    )
    op.create_index(
        "ix_support_tickets_created_at_id", "support_tickets", ["created_at", "id"], unique=False
    )
    op.create_index(
        "ix_support_tickets_requester_id_created_at_id",
        "support_tickets",
        ["requester_id", "created_at", "id"],
        unique=False,
    )
    op.create_index(
        "ix_support_tickets_status_created_at_id",
        "support_tickets",
        ["status", "created_at", "id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_support_tickets_status_created_at_id", table_name="support_tickets")
    op.drop_index("ix_support_tickets_requester_id_created_at_id", table_name="support_tickets")
    op.drop_index("ix_support_tickets_created_at_id", table_name="support_tickets")
    op.drop_table("support_tickets")
