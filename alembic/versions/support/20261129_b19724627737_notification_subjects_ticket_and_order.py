"""support: what a notification is about (ticket_id, order_id)

Revision ID: b19724627737
Revises: f4a111e4910d
Create Date: 2026-11-29 02:12:53.660593
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "b19724627737"
down_revision: str | Sequence[str] | None = "f4a111e4910d"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("support_notifications", schema=None) as batch_op:
        batch_op.add_column(sa.Column("ticket_id", sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column("order_id", sa.String(length=36), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("support_notifications", schema=None) as batch_op:
        batch_op.drop_column("order_id")
        batch_op.drop_column("ticket_id")
