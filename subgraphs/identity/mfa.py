"""Multi-factor authentication with TOTP (RFC 6238, `totp`) and single-use recovery codes.

Enrolment: `start_mfa_enrolment` stores a new secret (not yet required at sign-in) and returns it
with its otpauth URI and QR code; `confirm_mfa_enrolment` checks a first code, enables MFA and
returns ten recovery codes (shown once, stored as hashes). `disable_mfa` needs a fresh TOTP or
recovery code.

Sign-in: `authentication.login` answers an account with MFA with a challenge (5 minutes);
`complete_mfa_login` finishes it with a TOTP or recovery code and starts a session whose tokens
carry `amr: ["pwd", "otp"]`. A wrong code counts as a failed sign-in of the account (the
brute-force throttle and lock apply) and as a failed attempt of the challenge (dead after 5).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.identity import totp
from subgraphs.identity.audit import AuditKind, Client, independent_session, record
from subgraphs.identity.authentication import (
    IssuedTokens,
    TokenSettings,
    check_not_throttled,
    login_key,
    record_login_failure,
    start_session,
)
from subgraphs.identity.errors import InvalidMfaChallenge, InvalidMfaCode
from subgraphs.identity.models import MfaChallenge, RecoveryCode, User, UserStatus
from subgraphs.kernel.db import utcnow
from subgraphs.kernel.errors import BadUserInput, Conflict

MAX_CHALLENGE_ATTEMPTS = 5


@dataclass(frozen=True, slots=True)
class Enrolment:
    secret: str
    otpauth_uri: str
    qr_code_data_url: str


async def start_mfa_enrolment(session: AsyncSession, *, user: User, client: Client) -> Enrolment:
    if user.mfa_enabled_at is not None:
        raise Conflict("MFA is already enabled: disable it first to enrol a new authenticator.")
    secret = totp.new_secret()
    user.mfa_secret = secret
    user.mfa_last_step = None
    record(session, AuditKind.MFA_ENROLMENT_STARTED, client=client, user_id=user.id)
    await session.flush()
    uri = totp.provisioning_uri(secret, user.email)
    return Enrolment(secret=secret, otpauth_uri=uri, qr_code_data_url=totp.qr_code_data_url(uri))


async def confirm_mfa_enrolment(
    session: AsyncSession, *, user: User, code: str, client: Client
) -> list[str]:
    """Enable MFA with a first valid code; the ten recovery codes (plain, shown once)."""
    if user.mfa_enabled_at is not None:
        raise Conflict("MFA is already enabled.")
    if user.mfa_secret is None:
        raise Conflict("Start the enrolment first (startMfaEnrolment).")
    step = totp.verify(user.mfa_secret, code, last_used_step=user.mfa_last_step)
    if step is None:
        raise BadUserInput(
            "This code is not valid: check the authenticator's clock and try the next code.",
            field="code",
            reason="INVALID_MFA_CODE",
        )
    user.mfa_last_step = step
    user.mfa_enabled_at = utcnow()
    codes = await _replace_recovery_codes(session, user.id)
    record(session, AuditKind.MFA_ENABLED, client=client, user_id=user.id)
    await session.flush()
    return codes


async def _replace_recovery_codes(session: AsyncSession, user_id: str) -> list[str]:
    await session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user_id))
    codes = totp.new_recovery_codes(10)
    session.add_all(
        RecoveryCode(user_id=user_id, code_hash=totp.hash_recovery_code(code)) for code in codes
    )
    return codes


async def _accept_second_factor(
    session: AsyncSession, user: User, code: str, client: Client
) -> str | None:
    """'otp' or 'recovery_code' when `code` is a fresh TOTP code or an unused recovery code
    (then spent), else None."""
    if user.mfa_secret is None:
        return None
    step = totp.verify(user.mfa_secret, code, last_used_step=user.mfa_last_step)
    if step is not None:
        user.mfa_last_step = step
        return "otp"
    if totp.normalise_recovery_code(code) is None:
        return None
    unused = list(
        await session.scalars(
            select(RecoveryCode)
            .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
            .order_by(RecoveryCode.id)
        )
    )
    index = totp.match_recovery_code(code, [row.code_hash for row in unused])
    if index is None:
        return None
    spent = await session.execute(
        update(RecoveryCode)
        .where(RecoveryCode.id == unused[index].id, RecoveryCode.used_at.is_(None))
        .values(used_at=utcnow())
    )
    if spent.rowcount != 1:  # type: ignore[attr-defined]
        return None
    remaining = len(unused) - 1
    record(
        session,
        AuditKind.MFA_RECOVERY_CODE_USED,
        client=client,
        user_id=user.id,
        details={"remaining": remaining},
    )
    return "recovery_code"


async def complete_mfa_login(
    session: AsyncSession,
    settings: TokenSettings,
    *,
    challenge_id: str,
    code: str,
    client: Client,
) -> IssuedTokens:
    now = utcnow()
    challenge = await session.get(MfaChallenge, challenge_id)
    if (
        challenge is None
        or challenge.used_at is not None
        or challenge.expires_at <= now
        or challenge.failed_attempts >= MAX_CHALLENGE_ATTEMPTS
    ):
        raise InvalidMfaChallenge()
    user = await session.get(User, challenge.user_id)
    if user is None or user.status is not UserStatus.ACTIVE or user.mfa_enabled_at is None:
        raise InvalidMfaChallenge()
    email_key = login_key(user.email)
    await check_not_throttled(session, email_key, client, settings.brute_force)
    factor = await _accept_second_factor(session, user, code, client)
    if factor is None:
        user_id = user.id
        await session.rollback()  # nothing of this request is kept; frees SQLite's writer lock
        async with independent_session(session) as own:
            await own.execute(
                update(MfaChallenge)
                .where(MfaChallenge.id == challenge_id)
                .values(failed_attempts=MfaChallenge.failed_attempts + 1)
            )
        await record_login_failure(
            session,
            email_key,
            client,
            settings.brute_force,
            user_id=user_id,
            reason="wrong_mfa_code",
        )
        raise InvalidMfaCode()
    claimed = await session.execute(
        update(MfaChallenge)
        .where(MfaChallenge.id == challenge_id, MfaChallenge.used_at.is_(None))
        .values(used_at=now)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        raise InvalidMfaChallenge()
    return await start_session(session, settings, user=user, client=client, amr=["pwd", "otp"])


async def recovery_codes_left(session: AsyncSession, *, user_id: str) -> int:
    count = await session.scalar(
        select(func.count())
        .select_from(RecoveryCode)
        .where(RecoveryCode.user_id == user_id, RecoveryCode.used_at.is_(None))
    )
    return int(count or 0)


async def disable_mfa(session: AsyncSession, *, user: User, code: str, client: Client) -> User:
    if user.mfa_enabled_at is None:
        raise Conflict("MFA is not enabled.")
    if await _accept_second_factor(session, user, code, client) is None:
        raise BadUserInput(
            "This code is not valid (wrong, expired or used).",
            field="code",
            reason="INVALID_MFA_CODE",
        )
    user.mfa_enabled_at = None
    user.mfa_secret = None
    user.mfa_last_step = None
    await session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    record(session, AuditKind.MFA_DISABLED, client=client, user_id=user.id)
    await session.flush()
    return user
