"""identity's root mutation fields (the kernel commits once all of them succeed).

Sign-in failures, locks and refresh-token reuse are recorded by the services in their own
transaction (see `authentication`), so they persist although these mutations then fail.
"""

from __future__ import annotations

import strawberry
from strawberry.federation.schema_directives import Authenticated
from strawberry.types import Info

from subgraphs.identity import authentication, services
from subgraphs.identity.inputs import (
    ChangeRoleInput,
    DisableUserInput,
    EnableUserInput,
    LoginInput,
    LogoutInput,
    RefreshSessionInput,
    RegisterUserInput,
    RevokeSessionInput,
)
from subgraphs.identity.queries import ADMIN_ONLY
from subgraphs.identity.state import client_of, identity_state
from subgraphs.identity.types import (
    AuthTokens,
    LoginPayload,
    LogoutPayload,
    MfaChallenge,
    RefreshSessionPayload,
    RevokeSessionPayload,
    Session,
    User,
    UserPayload,
)
from subgraphs.kernel.context import SubgraphContext

Context = Info[SubgraphContext, None]


@strawberry.type
class Mutation:
    @strawberry.mutation(
        description=(
            "Create an account. Duplicate email: CONFLICT; a password shorter than 12 "
            "characters or a common one: BAD_USER_INPUT."
        )
    )
    async def register_user(self, info: Context, input: RegisterUserInput) -> User:
        user = await services.register_user(
            info.context.session,
            email=input.email,
            display_name=input.display_name,
            password=input.password,
            client=client_of(info.context.request),
        )
        return User.from_model(user)

    @strawberry.mutation(
        description=(
            "Sign in with email and password: tokens, or an MFA challenge. Failures are "
            "UNAUTHENTICATED with extensions.reason INVALID_CREDENTIALS, THROTTLED or LOCKED "
            "(with retryAfterSeconds), the same for unknown emails."
        )
    )
    async def login(self, info: Context, input: LoginInput) -> LoginPayload:
        outcome = await authentication.login(
            info.context.session,
            identity_state(info.context.request).tokens,
            email=input.email,
            password=input.password,
            client=client_of(info.context.request),
        )
        if outcome.challenge is not None:
            challenge = MfaChallenge(
                id=strawberry.ID(outcome.challenge.id), expires_at=outcome.challenge.expires_at
            )
            return LoginPayload(tokens=None, mfa_challenge=challenge)
        assert outcome.tokens is not None
        return LoginPayload(tokens=AuthTokens.from_issued(outcome.tokens), mfa_challenge=None)

    @strawberry.mutation(
        description=(
            "New tokens for a refresh token, which is spent: presenting it again revokes the "
            "session (UNAUTHENTICATED, reason INVALID_REFRESH_TOKEN)."
        )
    )
    async def refresh_session(
        self, info: Context, input: RefreshSessionInput
    ) -> RefreshSessionPayload:
        issued = await authentication.refresh_session(
            info.context.session,
            identity_state(info.context.request).tokens,
            refresh_token=input.refresh_token,
            client=client_of(info.context.request),
        )
        return RefreshSessionPayload(tokens=AuthTokens.from_issued(issued))

    @strawberry.mutation(description="Sign out: revokes the session (its refresh token dies).")
    async def logout(self, info: Context, input: LogoutInput | None = None) -> LogoutPayload:
        viewer = info.context.viewer
        if viewer.user_id is not None:
            await authentication.current_user(info.context.session, viewer)
        ended = await authentication.logout(
            info.context.session,
            viewer=viewer,
            refresh_token=input.refresh_token if input is not None else None,
            client=client_of(info.context.request),
        )
        return LogoutPayload(session=Session.from_model(ended, current_id=viewer.session_id))

    @strawberry.mutation(
        description="Revoke one of your own sessions (another device).",
        directives=[Authenticated()],
    )
    async def revoke_session(
        self, info: Context, input: RevokeSessionInput
    ) -> RevokeSessionPayload:
        viewer = info.context.viewer
        user = await authentication.current_user(info.context.session, viewer)
        ended = await authentication.revoke_session(
            info.context.session,
            user_id=user.id,
            session_id=str(input.session_id),
            client=client_of(info.context.request),
        )
        return RevokeSessionPayload(session=Session.from_model(ended, current_id=viewer.session_id))

    @strawberry.mutation(description="Administrators: give a user a role.", directives=[ADMIN_ONLY])
    async def assign_role(self, info: Context, input: ChangeRoleInput) -> UserPayload:
        admin = await services.require_admin(info.context.session, info.context.viewer)
        user = await services.assign_role(
            info.context.session,
            admin=admin,
            user_id=str(input.user_id),
            role=input.role,
            client=client_of(info.context.request),
        )
        return UserPayload(user=User.from_model(user))

    @strawberry.mutation(
        description="Administrators: take a role away (USER stays).", directives=[ADMIN_ONLY]
    )
    async def remove_role(self, info: Context, input: ChangeRoleInput) -> UserPayload:
        admin = await services.require_admin(info.context.session, info.context.viewer)
        user = await services.remove_role(
            info.context.session,
            admin=admin,
            user_id=str(input.user_id),
            role=input.role,
            client=client_of(info.context.request),
        )
        return UserPayload(user=User.from_model(user))

    @strawberry.mutation(
        description="Administrators: suspend an account and revoke all its sessions.",
        directives=[ADMIN_ONLY],
    )
    async def disable_user(self, info: Context, input: DisableUserInput) -> UserPayload:
        admin = await services.require_admin(info.context.session, info.context.viewer)
        user = await services.disable_user(
            info.context.session,
            admin=admin,
            user_id=str(input.user_id),
            reason=input.reason,
            client=client_of(info.context.request),
        )
        return UserPayload(user=User.from_model(user))

    @strawberry.mutation(
        description="Administrators: make a suspended account active again.",
        directives=[ADMIN_ONLY],
    )
    async def enable_user(self, info: Context, input: EnableUserInput) -> UserPayload:
        admin = await services.require_admin(info.context.session, info.context.viewer)
        user = await services.enable_user(
            info.context.session,
            admin=admin,
            user_id=str(input.user_id),
            client=client_of(info.context.request),
        )
        return UserPayload(user=User.from_model(user))
