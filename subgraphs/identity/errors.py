"""identity's domain errors."""

from __future__ import annotations

from subgraphs.kernel.errors import BadUserInput, Conflict, Unauthenticated


class InvalidEmail(BadUserInput):
    def __init__(self, reason: str) -> None:
        super().__init__(f"Invalid email address: {reason}.", field="email")


class EmailAlreadyRegistered(Conflict):
    def __init__(self, email: str) -> None:
        super().__init__(f"A user with email {email} already exists.", field="email")


class WeakPassword(BadUserInput):
    def __init__(self, reason: str, *, field: str = "password") -> None:
        super().__init__(f"This password is not allowed: {reason}.", field=field)


class InvalidCredentials(Unauthenticated):
    """The one answer to a failed password check, whether or not the email has an account."""

    def __init__(self) -> None:
        super().__init__("Wrong email or password.", reason="INVALID_CREDENTIALS")


class LoginThrottled(Unauthenticated):
    """Too many recent failures: wait before the next attempt (same for every email)."""

    def __init__(self, retry_after_seconds: int, *, locked: bool) -> None:
        if locked:
            message = (
                "Too many failed sign-in attempts: sign-in is locked for this account or "
                f"address. Try again in {retry_after_seconds} seconds."
            )
        else:
            message = (
                "Too many failed sign-in attempts: wait "
                f"{retry_after_seconds} seconds before trying again."
            )
        super().__init__(
            message,
            reason="LOCKED" if locked else "THROTTLED",
            retryAfterSeconds=retry_after_seconds,
        )


class AccountDisabled(Unauthenticated):
    def __init__(self) -> None:
        super().__init__("This account is disabled.", reason="ACCOUNT_DISABLED")


class InvalidRefreshToken(Unauthenticated):
    def __init__(self, detail: str = "it is unknown, expired or revoked") -> None:
        super().__init__(f"Invalid refresh token: {detail}.", reason="INVALID_REFRESH_TOKEN")


class SessionEnded(Unauthenticated):
    def __init__(self) -> None:
        super().__init__(
            "This session has ended (signed out or revoked): sign in again.",
            reason="SESSION_REVOKED",
        )


class InvalidResetToken(BadUserInput):
    def __init__(self) -> None:
        super().__init__(
            "This password reset link is invalid, used or expired: ask for a new one.",
            field="token",
            reason="INVALID_RESET_TOKEN",
        )


class InvalidMfaCode(Unauthenticated):
    def __init__(self) -> None:
        super().__init__(
            "This code is not valid (wrong, expired or used).", reason="INVALID_MFA_CODE"
        )


class InvalidMfaChallenge(Unauthenticated):
    def __init__(self) -> None:
        super().__init__(
            "This sign-in challenge is unknown, expired, used or failed too often: sign in again.",
            reason="INVALID_MFA_CHALLENGE",
        )
