"""support: indexes for the retention scans (oldest notifications, final deliveries, handled events)

Revision ID: 3e1c7a9d5b20
Revises: b19724627737
Create Date: 2026-11-29 04:30:00.000000
"""

from collections.abc import Sequence

from alembic import op


revision: str = "3e1c7a9d5b20"
down_revision: str | Sequence[str] | None = "b19724627737"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_support_notifications_created_at_id", "support_notifications", ["created_at", "id"]
    )
    op.create_index(
        "ix_support_deliveries_status_updated_at", "support_deliveries", ["status", "updated_at"]
    )
    op.create_index(
        "ix_support_handled_events_handled_at", "support_handled_events", ["handled_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_support_handled_events_handled_at", table_name="support_handled_events")
    op.drop_index("ix_support_deliveries_status_updated_at", table_name="support_deliveries")
    op.drop_index("ix_support_notifications_created_at_id", table_name="support_notifications")
