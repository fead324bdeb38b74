"""identity's tables (prefix `identity_`)."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Enum, ForeignKey, Index, Integer, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from subgraphs.kernel.db import UTCDateTime, new_id, new_metadata, utcnow
from subgraphs.kernel.outbox import outbox_model


class Base(DeclarativeBase):
    metadata = new_metadata()
    type_annotation_map = {datetime: UTCDateTime}


Outbox = outbox_model(Base, "identity")  # identity_outbox: docs/events.md


class Role(enum.Enum):
    """Stored by name in `identity_users.roles`; tokens carry `claim_name` (lower-case)."""

    USER = "USER"
    SELLER = "SELLER"
    AFFILIATE = "AFFILIATE"
    FRANCHISE_OWNER = "FRANCHISE_OWNER"
    SUPPORT_AGENT = "SUPPORT_AGENT"
    OPERATOR = "OPERATOR"
    ADMIN = "ADMIN"

    @property
    def claim_name(self) -> str:
        return self.value.lower()


class UserStatus(enum.Enum):
    ACTIVE = "ACTIVE"
    SUSPENDED = "SUSPENDED"
    DELETED = "DELETED"


class User(Base):
    __tablename__ = "identity_users"
    __table_args__ = (Index("ix_identity_users_created_at_id", "created_at", "id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(80))
    # A small fixed set read with every user: a JSON list keeps reference resolution one SELECT.
    roles: Mapped[list[str]] = mapped_column(JSON)
    status: Mapped[UserStatus] = mapped_column(
        Enum(UserStatus, native_enum=False, length=16, create_constraint=True, name="status"),
        default=UserStatus.ACTIVE,
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Argon2id PHC string; None: the account cannot sign in with a password (until a reset).
    password_hash: Mapped[str | None] = mapped_column(String(255), default=None)
    # TOTP (RFC 6238): the base32 secret once enrolment starts; enabled once confirmed.
    mfa_secret: Mapped[str | None] = mapped_column(String(64), default=None)
    mfa_enabled_at: Mapped[datetime | None] = mapped_column(default=None)
    # The last accepted TOTP time step: a code of that step or an earlier one is never accepted.
    mfa_last_step: Mapped[int | None] = mapped_column(Integer, default=None)

    @property
    def role_set(self) -> frozenset[Role]:
        return frozenset(Role(role) for role in self.roles)


class AuthSession(Base):
    """One signed-in device: the refresh-token family. Revoking it ends every token of it."""

    __tablename__ = "identity_sessions"
    __table_args__ = (Index("ix_identity_sessions_user_id_created_at", "user_id", "created_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    user_id: Mapped[str] = mapped_column(String(36), ForeignKey("identity_users.id"))
    user_agent: Mapped[str] = mapped_column(String(512), default="")
    ip_address: Mapped[str] = mapped_column(String(64), default="")
    amr: Mapped[list[str]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)
    revoked_reason: Mapped[str | None] = mapped_column(String(32), default=None)


class RefreshToken(Base):
    """A refresh token of a session, kept only as a SHA-256 hash. `rotated_at` is set when it
    was exchanged: presenting it again is reuse and revokes the whole session."""

    __tablename__ = "identity_refresh_tokens"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    session_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("identity_sessions.id"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    rotated_at: Mapped[datetime | None] = mapped_column(default=None)


class LoginFailure(Base):
    """One failed password check, by normalised email and client address (brute-force window)."""

    __tablename__ = "identity_login_failures"
    __table_args__ = (
        Index("ix_identity_login_failures_email_at", "email", "at"),
        Index("ix_identity_login_failures_ip_address_at", "ip_address", "at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    email: Mapped[str] = mapped_column(String(254))
    ip_address: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(default=utcnow)


class AuditEvent(Base):
    """A security-relevant action (login, failed login, lock, token reuse, role change...)."""

    __tablename__ = "identity_audit_events"
    __table_args__ = (
        Index("ix_identity_audit_events_occurred_at_id", "occurred_at", "id"),
        Index("ix_identity_audit_events_user_id", "user_id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)
    kind: Mapped[str] = mapped_column(String(40), index=True)
    # The account concerned and who acted (None: anonymous / the system).
    user_id: Mapped[str | None] = mapped_column(String(36), default=None)
    actor_id: Mapped[str | None] = mapped_column(String(36), default=None)
    email: Mapped[str | None] = mapped_column(String(254), default=None)
    ip_address: Mapped[str] = mapped_column(String(64), default="")
    user_agent: Mapped[str] = mapped_column(String(512), default="")
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class PasswordReset(Base):
    """A single-use password-reset token (SHA-256 hash only), valid until `expires_at`."""

    __tablename__ = "identity_password_resets"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    user_id: Mapped[str] = mapped_column(String(36), ForeignKey("identity_users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None] = mapped_column(default=None)


class RecoveryCode(Base):
    """An MFA recovery code (Argon2id hash), single-use."""

    __tablename__ = "identity_recovery_codes"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    user_id: Mapped[str] = mapped_column(String(36), ForeignKey("identity_users.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(255))
    used_at: Mapped[datetime | None] = mapped_column(default=None)


class MfaChallenge(Base):
    """A password check passed for an account with MFA: tokens wait for a TOTP/recovery code."""

    __tablename__ = "identity_mfa_challenges"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    user_id: Mapped[str] = mapped_column(String(36), ForeignKey("identity_users.id"), index=True)
    user_agent: Mapped[str] = mapped_column(String(512), default="")
    ip_address: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None] = mapped_column(default=None)
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
