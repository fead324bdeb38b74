"""Password reset by email, without user enumeration.

`request_password_reset` answers the same way (and about as fast) whether or not the email has
an account: the reset row and its audit event are written in their own committed transaction
and the email is sent in the background (`BackgroundTasks`), so neither the answer nor its
timing depends on the account or on the mail server. At most `MAX_RESETS_PER_HOUR` emails per
account per hour, and `MAX_RESETS_PER_ADDRESS_PER_HOUR` requests per client address (more are
audited but send nothing; the answer stays the same).

The token is 256 random bits, stored only as its SHA-256, valid for 30 minutes and single-use.
`complete_password_reset` checks the token, applies the password policy (before spending the
token), sets the new password, spends every outstanding reset of the account, revokes all its
sessions and clears its sign-in failures.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.identity.audit import AuditKind, Client, independent_session, new_event, record
from subgraphs.identity.authentication import login_key, revoke_all_sessions
from subgraphs.identity.emails import normalise_email
from subgraphs.identity.errors import InvalidEmail, InvalidResetToken
from subgraphs.identity.models import AuditEvent, LoginFailure, PasswordReset, User, UserStatus
from subgraphs.identity.passwords import check_password_policy, hash_password_off_loop
from subgraphs.identity.tokens import new_secret, secret_hash
from subgraphs.kernel.db import utcnow
from subgraphs.kernel.email import EmailDeliveryFailed, EmailSender, render_email

logger = logging.getLogger("subgraphs.identity")

RESET_LIFETIME = timedelta(minutes=30)
MAX_RESETS_PER_HOUR = 3
MAX_RESETS_PER_ADDRESS_PER_HOUR = 20  # requests, known emails or not (no mail bombing)

SUBJECT = "Reset your EHB-5 password"
TEXT = """Hello $name,

someone (hopefully you) asked to reset the password of your EHB-5 account.
Open this link within 30 minutes to choose a new password:

$link

If you did not ask for this, ignore this email: your password stays as it is.
"""
HTML = """<p>Hello $name,</p>
<p>someone (hopefully you) asked to reset the password of your EHB-5 account.
<a href="$link">Choose a new password</a> within 30 minutes.</p>
<p>If you did not ask for this, ignore this email: your password stays as it is.</p>
"""


class BackgroundTasks:
    """Tasks that outlive their request (emails); awaited when the app shuts down."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[None]] = set()

    def start(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def drain(self) -> None:
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)


def reset_link(base_url: str, token: str) -> str:
    separator = "&" if "?" in base_url else "?"
    return f"{base_url}{separator}{urlencode({'token': token})}"


async def _send(sender: EmailSender, to: str, name: str, link: str) -> None:
    message = render_email(to, SUBJECT, TEXT, HTML, values={"name": name, "link": link})
    try:
        await sender.send(message)
    except EmailDeliveryFailed:
        logger.warning("password reset email could not be sent", exc_info=True)


async def request_password_reset(
    session: AsyncSession,
    *,
    email: str,
    client: Client,
    sender: EmailSender,
    background: BackgroundTasks,
    link_base: str,
) -> None:
    """Always returns normally (no enumeration); see the module docstring."""
    try:
        normalised: str | None = normalise_email(email)
    except InvalidEmail:
        normalised = None
    user = (
        await session.scalar(select(User).where(User.email == normalised))
        if normalised is not None
        else None
    )
    token = new_secret()
    now = utcnow()
    send = False
    async with independent_session(session) as own:
        details: dict[str, Any] = {"known": user is not None}
        from_address = await own.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(
                AuditEvent.kind == AuditKind.PASSWORD_RESET_REQUESTED.value,
                AuditEvent.ip_address == client.ip_address[:64],
                AuditEvent.occurred_at > now - timedelta(hours=1),
            )
        )
        address_limited = client.address_is_client and int(from_address or 0) >= (
            MAX_RESETS_PER_ADDRESS_PER_HOUR
        )
        if address_limited:
            details["rateLimited"] = "address"
        elif user is not None and user.status is UserStatus.ACTIVE:
            recent = await own.scalar(
                select(func.count())
                .select_from(PasswordReset)
                .where(
                    PasswordReset.user_id == user.id,
                    PasswordReset.created_at > now - timedelta(hours=1),
                )
            )
            if int(recent or 0) < MAX_RESETS_PER_HOUR:
                own.add(
                    PasswordReset(
                        user_id=user.id,
                        token_hash=secret_hash(token),
                        created_at=now,
                        expires_at=now + RESET_LIFETIME,
                    )
                )
                send = True
            else:
                details["rateLimited"] = "account"
        own.add(
            new_event(
                AuditKind.PASSWORD_RESET_REQUESTED,
                client=client,
                user_id=user.id if user is not None else None,
                email=login_key(email),
                details=details,
            )
        )
    if send and user is not None:
        background.start(_send(sender, user.email, user.display_name, reset_link(link_base, token)))


async def complete_password_reset(
    session: AsyncSession, *, token: str, new_password: str, client: Client
) -> User:
    now = utcnow()
    reset = await session.scalar(
        select(PasswordReset).where(PasswordReset.token_hash == secret_hash(token))
    )
    if reset is None or reset.used_at is not None or reset.expires_at <= now:
        raise InvalidResetToken()
    user = await session.get(User, reset.user_id)
    if user is None or user.status is not UserStatus.ACTIVE:
        raise InvalidResetToken()
    check_password_policy(new_password, field="newPassword")
    spent = await session.execute(
        update(PasswordReset)
        .where(PasswordReset.id == reset.id, PasswordReset.used_at.is_(None))
        .values(used_at=now)
    )
    if spent.rowcount != 1:  # type: ignore[attr-defined]  # a concurrent completion won
        raise InvalidResetToken()
    await session.execute(
        update(PasswordReset)
        .where(PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None))
        .values(used_at=now)
    )
    user.password_hash = await hash_password_off_loop(new_password)
    revoked = await revoke_all_sessions(session, user_id=user.id, reason="password_reset")
    await session.execute(delete(LoginFailure).where(LoginFailure.email == login_key(user.email)))
    record(
        session,
        AuditKind.PASSWORD_RESET_COMPLETED,
        client=client,
        user_id=user.id,
        email=user.email,
        details={"revokedSessions": revoked},
    )
    await session.flush()
    return user
