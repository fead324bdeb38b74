"""The security audit log (`identity_audit_events`): who did what to which account, from where.

`record` adds an event to the request's unit of work (kept when the mutation commits).
`record_now` writes in its own short transaction, committed at once: a failed login, a lock or a
refresh-token reuse must stay on record although the request answers with an error (the kernel
rolls back every failed mutation). `independent_session` gives such writes their own session on
the same engine; keep the request's session free of pending writes before using it (SQLite
allows one writer).
"""

from __future__ import annotations

import enum
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.identity.models import AuditEvent
from subgraphs.kernel.events import record_event
from subgraphs.kernel.pagination import Page, paginate


class AuditKind(enum.Enum):
    USER_REGISTERED = "user.registered"
    LOGIN_SUCCEEDED = "login.succeeded"
    LOGIN_FAILED = "login.failed"
    LOGIN_LOCKED = "login.locked"
    LOGIN_MFA_REQUIRED = "login.mfa_required"
    LOGOUT = "logout"
    SESSION_REVOKED = "session.revoked"
    TOKEN_REUSED = "token.reused"
    ROLE_ASSIGNED = "role.assigned"
    ROLE_REMOVED = "role.removed"
    ACCOUNT_DISABLED = "account.disabled"
    ACCOUNT_ENABLED = "account.enabled"
    PASSWORD_RESET_REQUESTED = "password.reset_requested"
    PASSWORD_RESET_COMPLETED = "password.reset_completed"
    MFA_ENROLMENT_STARTED = "mfa.enrolment_started"
    MFA_ENABLED = "mfa.enabled"
    MFA_DISABLED = "mfa.disabled"
    MFA_FAILED = "mfa.failed"
    MFA_RECOVERY_CODE_USED = "mfa.recovery_code_used"


DOMAIN_EVENTS: dict[AuditKind, str] = {
    AuditKind.LOGIN_SUCCEEDED: "identity.user.signed_in",
    AuditKind.LOGIN_FAILED: "identity.login.failed",
    AuditKind.LOGIN_LOCKED: "identity.login.locked",
    AuditKind.TOKEN_REUSED: "identity.token.reused",
    AuditKind.ACCOUNT_DISABLED: "identity.account.disabled",
    AuditKind.ACCOUNT_ENABLED: "identity.account.enabled",
    AuditKind.PASSWORD_RESET_COMPLETED: "identity.password.changed",
    AuditKind.MFA_ENABLED: "identity.mfa.enabled",
    AuditKind.MFA_DISABLED: "identity.mfa.disabled",
}
"""Audit kinds that are also domain events (docs/events.md), recorded in the same transaction.
The payload is the audit details plus the client's address and user agent (never the email)."""


@dataclass(frozen=True, slots=True)
class Client:
    """Where a request came from (stored with sessions and audit events)."""

    ip_address: str = ""
    user_agent: str = ""
    # False when the address is a trusted proxy's own (it forwarded no X-Forwarded-For): then it
    # stands for everyone behind that proxy and is not throttled as one client.
    address_is_client: bool = True


def new_event(
    kind: AuditKind,
    *,
    client: Client,
    user_id: str | None = None,
    actor_id: str | None = None,
    email: str | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    return AuditEvent(
        kind=kind.value,
        user_id=user_id,
        actor_id=actor_id,
        email=email,
        ip_address=client.ip_address[:64],
        user_agent=client.user_agent[:512],
        details=details or {},
    )


def record(session: AsyncSession, kind: AuditKind, *, client: Client, **fields: Any) -> None:
    """Add an event to the request's unit of work (and its domain event, if it has one)."""
    event = new_event(kind, client=client, **fields)
    session.add(event)
    event_type = DOMAIN_EVENTS.get(kind)
    if event_type is not None:
        payload = {
            **event.details,
            "ipAddress": event.ip_address,
            "userAgent": event.user_agent,
        }
        if kind is AuditKind.PASSWORD_RESET_COMPLETED:
            payload["how"] = "reset"
        record_event(session, event_type, payload, user_id=event.user_id)


@asynccontextmanager
async def independent_session(session: AsyncSession) -> AsyncIterator[AsyncSession]:
    """A second session on the request session's engine, committed when the block ends."""
    async with AsyncSession(bind=session.bind, expire_on_commit=False) as own:
        yield own
        await own.commit()


async def record_now(
    session: AsyncSession, kind: AuditKind, *, client: Client, **fields: Any
) -> None:
    """Write one event in its own transaction, committed now (survives the request's rollback)."""
    async with independent_session(session) as own:
        record(own, kind, client=client, **fields)


@dataclass(frozen=True, slots=True)
class AuditFilter:
    kinds: tuple[str, ...] = ()
    user_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None


async def list_audit_events(
    session: AsyncSession, *, filter: AuditFilter, first: int | None, after: str | None
) -> Page[AuditEvent]:
    """Newest first."""
    statement = select(AuditEvent)
    if filter.kinds:
        statement = statement.where(AuditEvent.kind.in_(filter.kinds))
    if filter.user_id is not None:
        statement = statement.where(AuditEvent.user_id == filter.user_id)
    if filter.since is not None:
        statement = statement.where(AuditEvent.occurred_at >= filter.since)
    if filter.until is not None:
        statement = statement.where(AuditEvent.occurred_at < filter.until)
    return await paginate(
        session,
        statement,
        first=first,
        after=after,
        order_by=(AuditEvent.occurred_at, AuditEvent.id),
        descending=True,
    )
