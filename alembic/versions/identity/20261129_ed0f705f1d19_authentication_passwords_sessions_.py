"""identity authentication: passwords, sessions, refresh tokens, login failures, audit log,
password resets, MFA (issue 4).

Roles live in the JSON column `identity_users.roles` (by name), so the new roles AFFILIATE,
FRANCHISE_OWNER and OPERATOR need no schema change. Timestamps are UTC
(subgraphs.kernel.db.UTCDateTime).

Revision ID: ed0f705f1d19
Revises: 440fa1c82058
Create Date: 2026-11-29 01:10:34.800621
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "ed0f705f1d19"
down_revision: str | Sequence[str] | None = "440fa1c82058"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "identity_audit_events",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=True),
        sa.Column("actor_id", sa.String(length=36), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("ip_address", sa.String(length=64), nullable=False),
        sa.Column("user_agent", sa.String(length=512), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identity_audit_events")),
    )
    with op.batch_alter_table("identity_audit_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_identity_audit_events_kind"), ["kind"], unique=False)
        batch_op.create_index(
            "ix_identity_audit_events_occurred_at_id", ["occurred_at", "id"], unique=False
        )
        batch_op.create_index("ix_identity_audit_events_user_id", ["user_id"], unique=False)

    op.create_table(
        "identity_login_failures",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("ip_address", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identity_login_failures")),
    )
    with op.batch_alter_table("identity_login_failures", schema=None) as batch_op:
        batch_op.create_index("ix_identity_login_failures_email_at", ["email", "at"], unique=False)
        batch_op.create_index(
            "ix_identity_login_failures_ip_address_at", ["ip_address", "at"], unique=False
        )

    op.create_table(
        "identity_mfa_challenges",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("user_agent", sa.String(length=512), nullable=False),
        sa.Column("ip_address", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("failed_attempts", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["identity_users.id"],
            name=op.f("fk_identity_mfa_challenges_user_id_identity_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identity_mfa_challenges")),
    )
    with op.batch_alter_table("identity_mfa_challenges", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_identity_mfa_challenges_user_id"), ["user_id"], unique=False
        )

    op.create_table(
        "identity_password_resets",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["identity_users.id"],
            name=op.f("fk_identity_password_resets_user_id_identity_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identity_password_resets")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_identity_password_resets_token_hash")),
    )
    with op.batch_alter_table("identity_password_resets", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_identity_password_resets_user_id"), ["user_id"], unique=False
        )

    op.create_table(
        "identity_recovery_codes",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("code_hash", sa.String(length=255), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["identity_users.id"],
            name=op.f("fk_identity_recovery_codes_user_id_identity_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identity_recovery_codes")),
    )
    with op.batch_alter_table("identity_recovery_codes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_identity_recovery_codes_user_id"), ["user_id"], unique=False
        )

    op.create_table(
        "identity_sessions",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("user_agent", sa.String(length=512), nullable=False),
        sa.Column("ip_address", sa.String(length=64), nullable=False),
        sa.Column("amr", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_reason", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["identity_users.id"],
            name=op.f("fk_identity_sessions_user_id_identity_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identity_sessions")),
    )
    with op.batch_alter_table("identity_sessions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_identity_sessions_user_id_created_at", ["user_id", "created_at"], unique=False
        )

    op.create_table(
        "identity_refresh_tokens",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("session_id", sa.String(length=36), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("rotated_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["identity_sessions.id"],
            name=op.f("fk_identity_refresh_tokens_session_id_identity_sessions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identity_refresh_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_identity_refresh_tokens_token_hash")),
    )
    with op.batch_alter_table("identity_refresh_tokens", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_identity_refresh_tokens_session_id"), ["session_id"], unique=False
        )

    with op.batch_alter_table("identity_users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("password_hash", sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column("mfa_secret", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("mfa_enabled_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("identity_users", schema=None) as batch_op:
        batch_op.drop_column("mfa_enabled_at")
        batch_op.drop_column("mfa_secret")
        batch_op.drop_column("password_hash")

    with op.batch_alter_table("identity_refresh_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_identity_refresh_tokens_session_id"))

    op.drop_table("identity_refresh_tokens")
    with op.batch_alter_table("identity_sessions", schema=None) as batch_op:
        batch_op.drop_index("ix_identity_sessions_user_id_created_at")

    op.drop_table("identity_sessions")
    with op.batch_alter_table("identity_recovery_codes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_identity_recovery_codes_user_id"))

    op.drop_table("identity_recovery_codes")
    with op.batch_alter_table("identity_password_resets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_identity_password_resets_user_id"))

    op.drop_table("identity_password_resets")
    with op.batch_alter_table("identity_mfa_challenges", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_identity_mfa_challenges_user_id"))

    op.drop_table("identity_mfa_challenges")
    with op.batch_alter_table("identity_login_failures", schema=None) as batch_op:
        batch_op.drop_index("ix_identity_login_failures_ip_address_at")
        batch_op.drop_index("ix_identity_login_failures_email_at")

    op.drop_table("identity_login_failures")
    with op.batch_alter_table("identity_audit_events", schema=None) as batch_op:
        batch_op.drop_index("ix_identity_audit_events_user_id")
        batch_op.drop_index("ix_identity_audit_events_occurred_at_id")
        batch_op.drop_index(batch_op.f("ix_identity_audit_events_kind"))

    op.drop_table("identity_audit_events")
