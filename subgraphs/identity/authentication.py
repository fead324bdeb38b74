"""Sign-in, sessions and refresh-token rotation, with the brute-force defence.

Login: the password is checked (Argon2id, dummy check for unknown emails) unless the email or the
client address is throttled or locked. Failures are rows in `identity_login_failures`, so every
instance of identity counts the same ones:

- after `throttle_after` failures within `window_seconds` (per email, and per address with its
  own thresholds) each further attempt must wait `base_delay * 2^(n - throttle_after)` seconds
  after the last failure; earlier attempts are refused without checking the password;
- at `lock_after` failures sign-in is locked until enough of them leave the window (at most
  `window_seconds`); the lock is recorded once as a `login.locked` audit event.

The address is the client's (see `state.client_of`); a trusted proxy's own address (it
forwarded no `X-Forwarded-For`) is not throttled, since it stands for every client behind it.
Unknown and known emails are counted and answered alike (no enumeration). Refused attempts are not
counted (an attacker cannot keep an account locked forever by hammering it). A success clears the
email's failures. Failures, locks and token reuse are written in their own transaction
(`audit.independent_session`) because the request itself fails and is rolled back.

A session is one refresh-token family: each refresh marks the presented token rotated and issues
the next; presenting a rotated token again revokes the whole session (`token.reused`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from subgraphs.identity.audit import AuditKind, Client, independent_session, record
from subgraphs.identity.emails import normalise_email
from subgraphs.identity.errors import (
    AccountDisabled,
    InvalidCredentials,
    InvalidEmail,
    InvalidRefreshToken,
    LoginThrottled,
    SessionEnded,
)
from subgraphs.identity.keys import SigningKeys
from subgraphs.identity.models import (
    AuthSession,
    LoginFailure,
    MfaChallenge,
    RefreshToken,
    Role,
    User,
    UserStatus,
)
from subgraphs.identity.passwords import hash_password_off_loop, verify_password_off_loop
from subgraphs.identity.tokens import issue_access_token, new_secret, secret_hash
from subgraphs.kernel.context import Viewer
from subgraphs.kernel.db import utcnow
from subgraphs.kernel.errors import Forbidden, NotFound

SESSION_LIFETIME = timedelta(days=30)
MFA_CHALLENGE_LIFETIME = timedelta(minutes=5)


@dataclass(frozen=True, slots=True)
class BruteForcePolicy:
    window_seconds: int = 15 * 60
    account_throttle_after: int = 5
    account_lock_after: int = 10
    address_throttle_after: int = 20
    address_lock_after: int = 50
    base_delay_seconds: float = 1.0


@dataclass(slots=True)
class TokenSettings:
    keys: SigningKeys
    issuer: str
    audience: str
    brute_force: BruteForcePolicy = field(default_factory=BruteForcePolicy)


@dataclass(frozen=True, slots=True)
class IssuedTokens:
    access_token: str
    access_token_expires_at: datetime
    refresh_token: str
    session: AuthSession
    user: User


@dataclass(frozen=True, slots=True)
class LoginOutcome:
    """Either tokens, or (MFA enabled) a challenge to complete with a code."""

    tokens: IssuedTokens | None = None
    challenge: MfaChallenge | None = None


def login_key(email: str) -> str:
    """How failures of an email are counted: trimmed, lower-cased (whatever the account)."""
    return email.strip().lower()[:254]


# --- brute force ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Window:
    failures: int
    last_at: datetime | None


async def _window(
    session: AsyncSession, condition: ColumnElement[bool], since: datetime
) -> _Window:
    row = (
        await session.execute(
            select(func.count(), func.max(LoginFailure.at)).where(
                condition,
                LoginFailure.at > since,
            )
        )
    ).one()
    last = row[1]
    if isinstance(last, str):  # SQLite returns max() of a DateTime column as text
        last = datetime.fromisoformat(last)
    if last is not None and last.tzinfo is None:
        last = last.replace(tzinfo=UTC)
    return _Window(failures=int(row[0]), last_at=last)


def _refusal(
    window: _Window, throttle_after: int, lock_after: int, policy: BruteForcePolicy, now: datetime
) -> LoginThrottled | None:
    if window.failures >= lock_after:
        return LoginThrottled(policy.window_seconds, locked=True)
    if window.failures >= throttle_after and window.last_at is not None:
        delay = policy.base_delay_seconds * 2 ** (window.failures - throttle_after)
        wait = (window.last_at + timedelta(seconds=delay) - now).total_seconds()
        if wait > 0:
            return LoginThrottled(max(1, math.ceil(wait)), locked=False)
    return None


async def check_not_throttled(
    session: AsyncSession, email_key: str, client: Client, policy: BruteForcePolicy
) -> None:
    now = utcnow()
    since = now - timedelta(seconds=policy.window_seconds)
    by_email = await _window(session, LoginFailure.email == email_key, since)
    by_address = (
        await _window(session, LoginFailure.ip_address == client.ip_address, since)
        if client.address_is_client
        else _Window(failures=0, last_at=None)
    )
    refusal = _refusal(
        by_email, policy.account_throttle_after, policy.account_lock_after, policy, now
    ) or _refusal(by_address, policy.address_throttle_after, policy.address_lock_after, policy, now)
    if refusal is not None:
        raise refusal


async def record_login_failure(
    session: AsyncSession,
    email_key: str,
    client: Client,
    policy: BruteForcePolicy,
    *,
    user_id: str | None,
    reason: str,
) -> None:
    """Count the failure and audit it (and a lock it engages) in a transaction of its own."""
    async with independent_session(session) as own:
        own.add(LoginFailure(email=email_key, ip_address=client.ip_address[:64]))
        record(
            own,
            AuditKind.LOGIN_FAILED,
            client=client,
            user_id=user_id,
            email=email_key,
            details={"reason": reason},
        )
        await own.flush()
        since = utcnow() - timedelta(seconds=policy.window_seconds)
        by_email = await _window(own, LoginFailure.email == email_key, since)
        by_address = await _window(own, LoginFailure.ip_address == client.ip_address, since)
        locks = []
        if by_email.failures == policy.account_lock_after:
            locks.append("account")
        if client.address_is_client and by_address.failures == policy.address_lock_after:
            locks.append("address")
        for scope in locks:
            record(
                own,
                AuditKind.LOGIN_LOCKED,
                client=client,
                user_id=user_id,
                email=email_key,
                details={
                    "scope": scope,
                    "failures": policy.account_lock_after
                    if scope == "account"
                    else policy.address_lock_after,
                    "windowSeconds": policy.window_seconds,
                },
            )


# --- login ---------------------------------------------------------------------------------------


async def login(
    session: AsyncSession,
    settings: TokenSettings,
    *,
    email: str,
    password: str,
    client: Client,
) -> LoginOutcome:
    """Tokens for a right email + password (or an MFA challenge); `InvalidCredentials`,
    `LoginThrottled` or `AccountDisabled` otherwise."""
    email_key = login_key(email)
    policy = settings.brute_force
    await check_not_throttled(session, email_key, client, policy)
    user = await _user_by_email(session, email)
    check = await verify_password_off_loop(
        user.password_hash if user is not None else None, password
    )
    if user is None or not check.ok:
        await record_login_failure(
            session,
            email_key,
            client,
            policy,
            user_id=user.id if user is not None else None,
            reason="wrong_password" if user is not None else "unknown_email",
        )
        raise InvalidCredentials()
    if user.status is not UserStatus.ACTIVE:
        await record_login_failure(
            session, email_key, client, policy, user_id=user.id, reason="account_disabled"
        )
        raise AccountDisabled()
    if check.needs_rehash:
        user.password_hash = await hash_password_off_loop(password)
    await session.execute(delete(LoginFailure).where(LoginFailure.email == email_key))
    if user.mfa_enabled_at is not None:
        challenge = MfaChallenge(
            user_id=user.id,
            user_agent=client.user_agent[:512],
            ip_address=client.ip_address[:64],
            expires_at=utcnow() + MFA_CHALLENGE_LIFETIME,
        )
        session.add(challenge)
        record(session, AuditKind.LOGIN_MFA_REQUIRED, client=client, user_id=user.id)
        await session.flush()
        return LoginOutcome(challenge=challenge)
    tokens = await start_session(session, settings, user=user, client=client, amr=["pwd"])
    return LoginOutcome(tokens=tokens)


async def _user_by_email(session: AsyncSession, email: str) -> User | None:
    try:
        normalised = normalise_email(email)
    except InvalidEmail:
        return None
    return await session.scalar(select(User).where(User.email == normalised))


def role_claims(user: User) -> list[str]:
    return sorted(role.claim_name for role in user.role_set)


async def start_session(
    session: AsyncSession, settings: TokenSettings, *, user: User, client: Client, amr: list[str]
) -> IssuedTokens:
    now = utcnow()
    auth_session = AuthSession(
        user_id=user.id,
        user_agent=client.user_agent[:512],
        ip_address=client.ip_address[:64],
        amr=amr,
        created_at=now,
        last_used_at=now,
        expires_at=now + SESSION_LIFETIME,
    )
    session.add(auth_session)
    await session.flush()
    refresh_token = new_secret()
    session.add(RefreshToken(session_id=auth_session.id, token_hash=secret_hash(refresh_token)))
    record(
        session,
        AuditKind.LOGIN_SUCCEEDED,
        client=client,
        user_id=user.id,
        email=user.email,
        details={"sessionId": auth_session.id, "amr": amr},
    )
    await session.flush()
    return _tokens(settings, user, auth_session, refresh_token)


def _tokens(
    settings: TokenSettings, user: User, auth_session: AuthSession, refresh_token: str
) -> IssuedTokens:
    access_token, expires_at = issue_access_token(
        settings.keys,
        user_id=user.id,
        session_id=auth_session.id,
        roles=role_claims(user),
        amr=auth_session.amr,
        issuer=settings.issuer,
        audience=settings.audience,
    )
    return IssuedTokens(
        access_token=access_token,
        access_token_expires_at=datetime.fromtimestamp(expires_at, UTC),
        refresh_token=refresh_token,
        session=auth_session,
        user=user,
    )


# --- refresh -------------------------------------------------------------------------------------


async def refresh_session(
    session: AsyncSession, settings: TokenSettings, *, refresh_token: str, client: Client
) -> IssuedTokens:
    """Exchange a refresh token for new tokens (the presented one is then spent).
    A spent token presented again revokes its session: someone else may hold it."""
    found = await session.scalar(
        select(RefreshToken).where(RefreshToken.token_hash == secret_hash(refresh_token))
    )
    if found is None:
        raise InvalidRefreshToken()
    auth_session = await session.get(AuthSession, found.session_id)
    if auth_session is None:
        raise InvalidRefreshToken()
    if found.rotated_at is not None:
        await _revoke_for_reuse(session, auth_session.id, auth_session.user_id, client)
        raise InvalidRefreshToken("it was already used, so this session is now revoked")
    now = utcnow()
    rotated = await session.execute(
        update(RefreshToken)
        .where(RefreshToken.id == found.id, RefreshToken.rotated_at.is_(None))
        .values(rotated_at=now)
    )
    if rotated.rowcount != 1:  # type: ignore[attr-defined]  # a concurrent refresh won
        # The request fails and keeps nothing; rolling back now frees SQLite's writer lock.
        await session.rollback()
        await _revoke_for_reuse(session, auth_session.id, auth_session.user_id, client)
        raise InvalidRefreshToken("it was already used, so this session is now revoked")
    if auth_session.revoked_at is not None or auth_session.expires_at <= now:
        raise InvalidRefreshToken()
    user = await session.get(User, auth_session.user_id)
    if user is None or user.status is not UserStatus.ACTIVE:
        raise AccountDisabled()
    auth_session.last_used_at = now
    auth_session.ip_address = client.ip_address[:64] or auth_session.ip_address
    next_token = new_secret()
    session.add(RefreshToken(session_id=auth_session.id, token_hash=secret_hash(next_token)))
    await session.flush()
    return _tokens(settings, user, auth_session, next_token)


async def _revoke_for_reuse(
    session: AsyncSession, session_id: str, user_id: str, client: Client
) -> None:
    async with independent_session(session) as own:
        await own.execute(
            update(AuthSession)
            .where(AuthSession.id == session_id, AuthSession.revoked_at.is_(None))
            .values(revoked_at=utcnow(), revoked_reason="token_reuse")
        )
        record(
            own,
            AuditKind.TOKEN_REUSED,
            client=client,
            user_id=user_id,
            details={"sessionId": session_id},
        )


# --- sessions ------------------------------------------------------------------------------------


async def current_user(session: AsyncSession, viewer: Viewer) -> User:
    """The signed-in viewer's account, checked against the database: its session must not be
    revoked (tokens of a signed-out session stop working here at once) and it must be ACTIVE."""
    user_id = viewer.require_user_id()
    if viewer.session_id is not None:
        auth_session = await session.get(AuthSession, viewer.session_id)
        if auth_session is None or auth_session.revoked_at is not None:
            raise SessionEnded()
    user = await session.get(User, user_id)
    if user is None:
        raise SessionEnded()
    if user.status is not UserStatus.ACTIVE:
        raise AccountDisabled()
    return user


async def list_sessions(session: AsyncSession, *, user_id: str) -> list[AuthSession]:
    """The user's sessions that are neither revoked nor expired, most recently used first."""
    rows = await session.scalars(
        select(AuthSession)
        .where(
            AuthSession.user_id == user_id,
            AuthSession.revoked_at.is_(None),
            AuthSession.expires_at > utcnow(),
        )
        .order_by(AuthSession.last_used_at.desc(), AuthSession.id)
    )
    return list(rows)


async def revoke_session(
    session: AsyncSession,
    *,
    user_id: str,
    session_id: str,
    client: Client,
    kind: AuditKind = AuditKind.SESSION_REVOKED,
) -> AuthSession:
    """Revoke one of `user_id`'s own sessions (NOT_FOUND for anyone else's)."""
    auth_session = await session.get(AuthSession, session_id)
    if auth_session is None or auth_session.user_id != user_id:
        raise NotFound("No such session.")
    if auth_session.revoked_at is None:
        auth_session.revoked_at = utcnow()
        auth_session.revoked_reason = "logout" if kind is AuditKind.LOGOUT else "revoked"
        record(session, kind, client=client, user_id=user_id, details={"sessionId": session_id})
        await session.flush()
    return auth_session


async def logout(
    session: AsyncSession, *, viewer: Viewer, refresh_token: str | None, client: Client
) -> AuthSession:
    """End the session named by the refresh token, or else the viewer's current session."""
    if refresh_token is not None:
        found = await session.scalar(
            select(RefreshToken).where(RefreshToken.token_hash == secret_hash(refresh_token))
        )
        auth_session = await session.get(AuthSession, found.session_id) if found else None
        if auth_session is None:
            raise InvalidRefreshToken()
        if viewer.user_id is not None and viewer.user_id != auth_session.user_id:
            raise Forbidden("This refresh token belongs to another account.")
        return await revoke_session(
            session,
            user_id=auth_session.user_id,
            session_id=auth_session.id,
            client=client,
            kind=AuditKind.LOGOUT,
        )
    user_id = viewer.require_user_id()
    if viewer.session_id is None:
        raise SessionEnded()
    return await revoke_session(
        session, user_id=user_id, session_id=viewer.session_id, client=client, kind=AuditKind.LOGOUT
    )


async def revoke_all_sessions(session: AsyncSession, *, user_id: str, reason: str) -> int:
    result = await session.execute(
        update(AuthSession)
        .where(AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None))
        .values(revoked_at=utcnow(), revoked_reason=reason[:32])
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


__all__ = [
    "BruteForcePolicy",
    "IssuedTokens",
    "LoginOutcome",
    "Role",
    "TokenSettings",
    "current_user",
    "list_sessions",
    "login",
    "logout",
    "refresh_session",
    "revoke_all_sessions",
    "revoke_session",
    "start_session",
]
