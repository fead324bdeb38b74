"""identity's GraphQL input types."""

from __future__ import annotations

from datetime import datetime

import strawberry

from subgraphs.identity import enums as enums  # registers Role, UserStatus first
from subgraphs.identity import models


@strawberry.input
class RegisterUserInput:
    email: str = strawberry.field(description="Trimmed; the domain is lower-cased.")
    display_name: str = strawberry.field(description="1 to 80 characters after trimming.")
    password: str = strawberry.field(
        description="12 to 256 characters, not a common password (checked case-insensitively)."
    )


@strawberry.input
class LoginInput:
    email: str
    password: str


@strawberry.input
class RefreshSessionInput:
    refresh_token: str


@strawberry.input
class LogoutInput:
    refresh_token: str | None = strawberry.field(
        default=None,
        description="The session to end; without it, the session of the access token.",
    )


@strawberry.input
class RevokeSessionInput:
    session_id: strawberry.ID


@strawberry.input
class UserSearchFilter:
    query: str | None = strawberry.field(
        default=None, description="Part of the email or display name (case-insensitive)."
    )
    role: models.Role | None = None
    status: models.UserStatus | None = None


@strawberry.input
class AuditLogFilter:
    kinds: list[str] | None = None
    user_id: strawberry.ID | None = None
    since: datetime | None = None
    until: datetime | None = None


@strawberry.input
class ChangeRoleInput:
    user_id: strawberry.ID
    role: models.Role


@strawberry.input
class DisableUserInput:
    user_id: strawberry.ID
    reason: str | None = None


@strawberry.input
class EnableUserInput:
    user_id: strawberry.ID


@strawberry.input
class RequestPasswordResetInput:
    email: str


@strawberry.input
class CompletePasswordResetInput:
    token: str = strawberry.field(description="From the link in the reset email.")
    new_password: str


@strawberry.input
class MfaCodeInput:
    code: str = strawberry.field(
        description="A 6-digit TOTP code (or, to disable, a recovery code)."
    )


@strawberry.input
class CompleteMfaLoginInput:
    challenge_id: strawberry.ID
    code: str = strawberry.field(description="A 6-digit TOTP code or a recovery code.")
