"""identity MFA: the last accepted TOTP time step per user (replay protection).

Revision ID: 97eb791797df
Revises: ed0f705f1d19
Create Date: 2026-11-29 01:20:30.456572
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "97eb791797df"
down_revision: str | Sequence[str] | None = "ed0f705f1d19"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("identity_users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("mfa_last_step", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("identity_users", schema=None) as batch_op:
        batch_op.drop_column("mfa_last_step")
