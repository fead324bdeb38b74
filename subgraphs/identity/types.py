"""identity's GraphQL types. `User` is owned here and resolved by reference through a loader."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from subgraphs.identity import enums as enums  # registers Role, UserStatus first
from subgraphs.identity import models
from subgraphs.identity.authentication import IssuedTokens
from subgraphs.identity.loaders import user_by_id
from subgraphs.kernel.access import require_owner_or_staff
from subgraphs.kernel.context import SubgraphContext, Viewer

STAFF = ("support", "admin")


def require_self_or_staff(viewer: Viewer, user_id: str) -> None:
    require_owner_or_staff(viewer, user_id, staff=STAFF, what="this user's private details")


PRIVATE_TO_SELF_AND_STAFF = (
    "Only the user themself and staff (support, admin) see it; anyone else gets null with "
    "FORBIDDEN (anonymous: UNAUTHENTICATED). Registering, signing in and resetting a password "
    "show it to the caller who just proved to be that user."
)


@strawberry.federation.type(
    keys=["id"],
    description="A person with an EHB-5 account. The profile (id, display name, creation time) "
    "is public; email, roles and status are private to the user and staff.",
)
class User:
    id: strawberry.ID
    display_name: str
    created_at: datetime
    private_email: strawberry.Private[str]
    private_roles: strawberry.Private[list[models.Role]]
    private_status: strawberry.Private[models.UserStatus]
    # The caller has just proved to be this user (registration, sign-in, password reset).
    disclosed: strawberry.Private[bool] = False

    def _require_access(self, viewer: Viewer) -> None:
        if not self.disclosed:
            require_self_or_staff(viewer, str(self.id))

    @strawberry.field(description=PRIVATE_TO_SELF_AND_STAFF)
    def email(self, info: Info[SubgraphContext, None]) -> str | None:
        self._require_access(info.context.viewer)
        return self.private_email

    @strawberry.field(description=PRIVATE_TO_SELF_AND_STAFF)
    def roles(self, info: Info[SubgraphContext, None]) -> list[models.Role] | None:
        self._require_access(info.context.viewer)
        return self.private_roles

    @strawberry.field(description=PRIVATE_TO_SELF_AND_STAFF)
    def status(self, info: Info[SubgraphContext, None]) -> models.UserStatus | None:
        self._require_access(info.context.viewer)
        return self.private_status

    @classmethod
    def from_model(cls, user: models.User, *, disclosed: bool = False) -> User:
        return cls(
            disclosed=disclosed,
            id=strawberry.ID(user.id),
            display_name=user.display_name,
            created_at=user.created_at,
            private_email=user.email,
            private_roles=sorted(user.role_set, key=lambda role: list(models.Role).index(role)),
            private_status=user.status,
        )

    @classmethod
    async def resolve_reference(
        cls, info: Info[SubgraphContext, None], id: strawberry.ID
    ) -> User | None:
        user = await info.context.loaders.get(user_by_id).load(str(id))
        return cls.from_model(user) if user is not None else None


@strawberry.type(description="A signed-in device: one refresh-token family.")
class Session:
    id: strawberry.ID
    user_agent: str
    ip_address: str
    created_at: datetime
    last_used_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    current: bool = strawberry.field(description="The session of the token making this request.")

    @classmethod
    def from_model(cls, row: models.AuthSession, *, current_id: str | None = None) -> Session:
        return cls(
            id=strawberry.ID(row.id),
            user_agent=row.user_agent,
            ip_address=row.ip_address,
            created_at=row.created_at,
            last_used_at=row.last_used_at,
            expires_at=row.expires_at,
            revoked_at=row.revoked_at,
            current=row.id == current_id,
        )


@strawberry.type(description="Tokens for a new or refreshed session.")
class AuthTokens:
    access_token: str = strawberry.field(description="A JWT for `Authorization: Bearer`.")
    token_type: str = strawberry.field(description="Always `Bearer`.")
    access_token_expires_at: datetime
    refresh_token: str = strawberry.field(
        description="Opaque and single-use: `refreshSession` spends it and returns the next one."
    )
    session: Session
    user: User

    @classmethod
    def from_issued(cls, issued: IssuedTokens) -> AuthTokens:
        return cls(
            access_token=issued.access_token,
            token_type="Bearer",
            access_token_expires_at=issued.access_token_expires_at,
            refresh_token=issued.refresh_token,
            session=Session.from_model(issued.session, current_id=issued.session.id),
            user=User.from_model(issued.user, disclosed=True),
        )


@strawberry.type(description="The password was right; a TOTP or recovery code is still needed.")
class MfaChallenge:
    id: strawberry.ID
    expires_at: datetime


@strawberry.type
class LoginPayload:
    tokens: AuthTokens | None = strawberry.field(description="Null when MFA is required.")
    mfa_challenge: MfaChallenge | None = strawberry.field(
        description="Set when the account uses MFA: finish with `completeMfaLogin`."
    )


@strawberry.type
class RefreshSessionPayload:
    tokens: AuthTokens


@strawberry.type
class LogoutPayload:
    session: Session


@strawberry.type
class RevokeSessionPayload:
    session: Session


@strawberry.type
class UserPayload:
    user: User


@strawberry.type(description="A security-relevant action, for administrators.")
class AuditEvent:
    id: strawberry.ID
    occurred_at: datetime
    kind: str = strawberry.field(description="e.g. login.failed, login.locked, token.reused.")
    user_id: strawberry.ID | None = strawberry.field(description="The account concerned.")
    actor_id: strawberry.ID | None = strawberry.field(description="Who acted, when not the user.")
    email: str | None
    ip_address: str
    user_agent: str
    details: JSON

    @classmethod
    def from_model(cls, row: models.AuditEvent) -> AuditEvent:
        return cls(
            id=strawberry.ID(row.id),
            occurred_at=row.occurred_at,
            kind=row.kind,
            user_id=strawberry.ID(row.user_id) if row.user_id else None,
            actor_id=strawberry.ID(row.actor_id) if row.actor_id else None,
            email=row.email,
            ip_address=row.ip_address,
            user_agent=row.user_agent,
            details=JSON(row.details),
        )


@strawberry.type
class RequestPasswordResetPayload:
    message: str = strawberry.field(
        description="The same text whether or not the email has an account."
    )


@strawberry.type
class CompletePasswordResetPayload:
    user: User


@strawberry.type(description="A new authenticator to confirm with `confirmMfaEnrolment`.")
class MfaEnrolment:
    secret: str = strawberry.field(description="Base32, for typing into an authenticator app.")
    otpauth_uri: str
    qr_code_data_url: str = strawberry.field(description="An SVG image as a data: URL.")


@strawberry.type(description="The viewer's second factor.")
class MfaStatus:
    enabled: bool
    recovery_codes_left: int


@strawberry.type
class ConfirmMfaEnrolmentPayload:
    mfa: MfaStatus
    recovery_codes: list[str] = strawberry.field(
        description="Ten single-use codes, shown only now: each replaces one TOTP code."
    )


@strawberry.type
class CompleteMfaLoginPayload:
    tokens: AuthTokens


@strawberry.type
class DisableMfaPayload:
    mfa: MfaStatus
