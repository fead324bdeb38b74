"""identity initial: the users table.

Revision ID: 440fa1c82058
Revises:
Create Date: 2026-11-28 19:21:22.715783
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "440fa1c82058"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("identity",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "identity_users",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("display_name", sa.String(length=80), nullable=False),
        sa.Column("roles", sa.JSON(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "ACTIVE",
                "SUSPENDED",
                "DELETED",
                name="status",
                native_enum=False,
                create_constraint=False,
                length=16,
            ),
            nullable=False,
        ),
        # subgraphs.kernel.db.UTCDateTime stores this column as UTC.
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identity_users")),
        sa.UniqueConstraint("email", name=op.f("uq_identity_users_email")),
        sa.CheckConstraint(
            "status IN ('ACTIVE', 'SUSPENDED', 'DELETED')",
            name=op.f("ck_identity_users_status"),
        ),
    )
    op.create_index(
        "ix_identity_users_created_at_id", "identity_users", ["created_at", "id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_identity_users_created_at_id", table_name="identity_users")
    op.drop_table("identity_users")
