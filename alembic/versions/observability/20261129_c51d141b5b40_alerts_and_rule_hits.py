"""observability: alerts (deduplicated by open key) and threshold rule hits

Revision ID: c51d141b5b40
Revises: c064079c631f
Create Date: 2026-11-29 02:03:50.873701
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "c51d141b5b40"
down_revision: str | Sequence[str] | None = "c064079c631f"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "observability_alerts",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("dedup_key", sa.String(length=200), nullable=False),
        sa.Column("open_key", sa.String(length=200), nullable=True),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column(
            "severity",
            sa.Enum(
                "INFO",
                "WARNING",
                "CRITICAL",
                name="severity",
                native_enum=False,
                create_constraint=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "OPEN",
                "ACKNOWLEDGED",
                "RESOLVED",
                name="status",
                native_enum=False,
                create_constraint=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_by", sa.String(length=36), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_by", sa.String(length=36), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_observability_alerts")),
        sa.CheckConstraint(
            "severity IN ('INFO', 'WARNING', 'CRITICAL')",
            name=op.f("ck_observability_alerts_severity"),
        ),
        sa.CheckConstraint(
            "status IN ('OPEN', 'ACKNOWLEDGED', 'RESOLVED')",
            name=op.f("ck_observability_alerts_status"),
        ),
        sa.UniqueConstraint("open_key", name=op.f("uq_observability_alerts_open_key")),
    )
    with op.batch_alter_table("observability_alerts", schema=None) as batch_op:
        batch_op.create_index(
            "ix_observability_alerts_first_seen_at_id", ["first_seen_at", "id"], unique=False
        )
        batch_op.create_index(
            "ix_observability_alerts_status_first_seen_at_id",
            ["status", "first_seen_at", "id"],
            unique=False,
        )

    op.create_table(
        "observability_rule_hits",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("rule", sa.String(length=64), nullable=False),
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_observability_rule_hits")),
        sa.UniqueConstraint("event_id", name=op.f("uq_observability_rule_hits_event_id")),
    )
    with op.batch_alter_table("observability_rule_hits", schema=None) as batch_op:
        batch_op.create_index(
            "ix_observability_rule_hits_rule_occurred_at", ["rule", "occurred_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("observability_rule_hits", schema=None) as batch_op:
        batch_op.drop_index("ix_observability_rule_hits_rule_occurred_at")

    op.drop_table("observability_rule_hits")
    with op.batch_alter_table("observability_alerts", schema=None) as batch_op:
        batch_op.drop_index("ix_observability_alerts_status_first_seen_at_id")
        batch_op.drop_index("ix_observability_alerts_first_seen_at_id")

    op.drop_table("observability_alerts")
