"""support: notifications, preferences, push subscriptions, deliveries, handled events

Revision ID: 93c14ae17ac2
Revises: 5c895867bf37
Create Date: 2026-11-29 01:53:18.294557
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "93c14ae17ac2"
down_revision: str | Sequence[str] | None = "5c895867bf37"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "support_handled_events",
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("type", sa.String(length=128), nullable=False),
        sa.Column("handled_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_support_handled_events")),
    )
    op.create_table(
        "support_notification_preferences",
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column(
            "category",
            sa.Enum(
                "SECURITY",
                "PAYMENTS",
                "ORDERS",
                "SUPPORT",
                "SYSTEM",
                name="category",
                native_enum=False,
                create_constraint=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column(
            "channel",
            sa.Enum(
                "IN_APP",
                "EMAIL",
                "SMS",
                "PUSH",
                name="channel",
                native_enum=False,
                create_constraint=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint(
            "user_id", "category", "channel", name=op.f("pk_support_notification_preferences")
        ),
        sa.CheckConstraint(
            "category IN ('SECURITY', 'PAYMENTS', 'ORDERS', 'SUPPORT', 'SYSTEM')",
            name=op.f("ck_support_notification_preferences_category"),
        ),
        sa.CheckConstraint(
            "channel IN ('IN_APP', 'EMAIL', 'SMS', 'PUSH')",
            name=op.f("ck_support_notification_preferences_channel"),
        ),
    )
    op.create_table(
        "support_notification_settings",
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("phone_number", sa.String(length=20), nullable=True),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("quiet_start_minute", sa.Integer(), nullable=True),
        sa.Column("quiet_end_minute", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_support_notification_settings")),
    )
    op.create_table(
        "support_notifications",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column(
            "category",
            sa.Enum(
                "SECURITY",
                "PAYMENTS",
                "ORDERS",
                "SUPPORT",
                "SYSTEM",
                name="category",
                native_enum=False,
                create_constraint=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("link", sa.String(length=2048), nullable=True),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column("in_app", sa.Boolean(), nullable=False),
        sa.Column("event_id", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_support_notifications")),
        sa.CheckConstraint(
            "category IN ('SECURITY', 'PAYMENTS', 'ORDERS', 'SUPPORT', 'SYSTEM')",
            name=op.f("ck_support_notifications_category"),
        ),
    )
    with op.batch_alter_table("support_notifications", schema=None) as batch_op:
        batch_op.create_index(
            "ix_support_notifications_user_id_in_app_created_at_id",
            ["user_id", "in_app", "created_at", "id"],
            unique=False,
        )

    op.create_table(
        "support_push_subscriptions",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("endpoint", sa.String(length=2048), nullable=False),
        sa.Column("p256dh", sa.String(length=128), nullable=False),
        sa.Column("auth", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_support_push_subscriptions")),
        sa.UniqueConstraint("endpoint", name=op.f("uq_support_push_subscriptions_endpoint")),
    )
    with op.batch_alter_table("support_push_subscriptions", schema=None) as batch_op:
        batch_op.create_index("ix_support_push_subscriptions_user_id", ["user_id"], unique=False)

    op.create_table(
        "support_deliveries",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("notification_id", sa.String(length=36), nullable=False),
        sa.Column(
            "channel",
            sa.Enum(
                "IN_APP",
                "EMAIL",
                "SMS",
                "PUSH",
                name="channel",
                native_enum=False,
                create_constraint=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("target", sa.String(length=2048), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "PENDING",
                "HELD",
                "SENT",
                "FAILED",
                name="status",
                native_enum=False,
                create_constraint=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["notification_id"],
            ["support_notifications.id"],
            name=op.f("fk_support_deliveries_notification_id_support_notifications"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_support_deliveries")),
        sa.CheckConstraint(
            "channel IN ('IN_APP', 'EMAIL', 'SMS', 'PUSH')",
            name=op.f("ck_support_deliveries_channel"),
        ),
        sa.CheckConstraint(
            "status IN ('PENDING', 'HELD', 'SENT', 'FAILED')",
            name=op.f("ck_support_deliveries_status"),
        ),
    )
    with op.batch_alter_table("support_deliveries", schema=None) as batch_op:
        batch_op.create_index(
            "ix_support_deliveries_notification_id", ["notification_id"], unique=False
        )
        batch_op.create_index(
            "ix_support_deliveries_status_next_attempt_at",
            ["status", "next_attempt_at"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("support_deliveries", schema=None) as batch_op:
        batch_op.drop_index("ix_support_deliveries_status_next_attempt_at")
        batch_op.drop_index("ix_support_deliveries_notification_id")

    op.drop_table("support_deliveries")
    with op.batch_alter_table("support_push_subscriptions", schema=None) as batch_op:
        batch_op.drop_index("ix_support_push_subscriptions_user_id")

    op.drop_table("support_push_subscriptions")
    with op.batch_alter_table("support_notifications", schema=None) as batch_op:
        batch_op.drop_index("ix_support_notifications_user_id_in_app_created_at_id")

    op.drop_table("support_notifications")
    op.drop_table("support_notification_settings")
    op.drop_table("support_notification_preferences")
    op.drop_table("support_handled_events")
