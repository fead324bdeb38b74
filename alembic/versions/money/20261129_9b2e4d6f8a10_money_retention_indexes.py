"""money: indexes for the retention scans (old idempotency keys, old webhook events)

Revision ID: 9b2e4d6f8a10
Revises: 0ad1b93e3e99
Create Date: 2026-11-29 05:30:00.000000
"""

from collections.abc import Sequence

from alembic import op


revision: str = "9b2e4d6f8a10"
down_revision: str | Sequence[str] | None = "0ad1b93e3e99"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_money_idempotency_keys_created_at", "money_idempotency_keys", ["created_at"]
    )
    op.create_index("ix_money_webhook_events_received_at", "money_webhook_events", ["received_at"])


def downgrade() -> None:
    op.drop_index("ix_money_webhook_events_received_at", table_name="money_webhook_events")
    op.drop_index("ix_money_idempotency_keys_created_at", table_name="money_idempotency_keys")
