"""observability initial: the service checks history.

Revision ID: 64b9ce40e5be
Revises:
Create Date: 2026-11-28 19:39:49.432398
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "64b9ce40e5be"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("observability",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "observability_service_checks",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("url", sa.String(length=2048), nullable=False),
        sa.Column(
            "health",
            sa.Enum(
                "UP",
                "DEGRADED",
                "DOWN",
                name="health",
                native_enum=False,
                create_constraint=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("version", sa.String(length=64), nullable=True),
        sa.Column("latency_ms", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        # subgraphs.kernel.db.UTCDateTime stores this column as UTC.
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_observability_service_checks")),
        sa.CheckConstraint(
            "health IN ('UP', 'DEGRADED', 'DOWN')",
            name=op.f("ck_observability_service_checks_health"),
        ),
    )
    op.create_index(
        "ix_observability_service_checks_name_checked_at_id",
        "observability_service_checks",
        ["name", "checked_at", "id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(
        "ix_observability_service_checks_name_checked_at_id",
        table_name="observability_service_checks",
    )
    op.drop_table("observability_service_checks")
