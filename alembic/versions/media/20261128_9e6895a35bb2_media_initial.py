"""media initial: the videos table.

Revision ID: 9e6895a35bb2
Revises:
Create Date: 2026-11-28 19:35:35.492297
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "9e6895a35bb2"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("media",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "media_videos",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("owner_id", sa.String(length=36), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "UPLOADED",
                "PROCESSING",
                "READY",
                "FAILED",
                name="status",
                native_enum=False,
                create_constraint=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column(
            "visibility",
            sa.Enum(
                "PUBLIC",
                "UNLISTED",
                "PRIVATE",
                name="visibility",
                native_enum=False,
                create_constraint=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("duration_seconds", sa.Integer(), nullable=True),
        # subgraphs.kernel.db.UTCDateTime stores these columns as UTC.
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_media_videos")),
        sa.CheckConstraint(
            "status IN ('UPLOADED', 'PROCESSING', 'READY', 'FAILED')",
            name=op.f("ck_media_videos_status"),
        ),
        sa.CheckConstraint(
            "visibility IN ('PUBLIC', 'UNLISTED', 'PRIVATE')",
            name=op.f("ck_media_videos_visibility"),
        ),
    )
    op.create_index(
        "ix_media_videos_owner_id_created_at_id",
        "media_videos",
        ["owner_id", "created_at", "id"],
        unique=False,
    )
    op.create_index(
        "ix_media_videos_visibility_status_created_at_id",
        "media_videos",
        ["visibility", "status", "created_at", "id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_media_videos_visibility_status_created_at_id", table_name="media_videos")
    op.drop_index("ix_media_videos_owner_id_created_at_id", table_name="media_videos")
    op.drop_table("media_videos")
