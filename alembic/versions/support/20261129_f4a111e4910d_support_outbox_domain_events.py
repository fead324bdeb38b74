"""support outbox (domain events)

Revision ID: f4a111e4910d
Revises: 93c14ae17ac2
Create Date: 2026-11-29 01:55:56.510429
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "f4a111e4910d"
down_revision: str | Sequence[str] | None = "93c14ae17ac2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "support_outbox",
        sa.Column(
            "position",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("type", sa.String(length=200), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        # subgraphs.kernel.db.UTCDateTime stores these columns as UTC.
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("position", name=op.f("pk_support_outbox")),
        sa.UniqueConstraint("id", name=op.f("uq_support_outbox_id")),
    )
    with op.batch_alter_table("support_outbox", schema=None) as batch_op:
        batch_op.create_index(
            "ix_support_outbox_published_at_position",
            ["published_at", "position"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("support_outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_support_outbox_published_at_position")

    op.drop_table("support_outbox")
