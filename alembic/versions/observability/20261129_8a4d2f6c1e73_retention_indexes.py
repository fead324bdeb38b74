"""observability: indexes for the retention scans (old checks, resolved alerts, rule hits)

Revision ID: 8a4d2f6c1e73
Revises: c51d141b5b40
Create Date: 2026-11-29 04:40:00.000000
"""

from collections.abc import Sequence

from alembic import op


revision: str = "8a4d2f6c1e73"
down_revision: str | Sequence[str] | None = "c51d141b5b40"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_observability_service_checks_checked_at",
        "observability_service_checks",
        ["checked_at"],
    )
    op.create_index(
        "ix_observability_alerts_status_resolved_at",
        "observability_alerts",
        ["status", "resolved_at"],
    )
    op.create_index(
        "ix_observability_rule_hits_occurred_at", "observability_rule_hits", ["occurred_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_observability_rule_hits_occurred_at", table_name="observability_rule_hits")
    op.drop_index("ix_observability_alerts_status_resolved_at", table_name="observability_alerts")
    op.drop_index(
        "ix_observability_service_checks_checked_at", table_name="observability_service_checks"
    )
