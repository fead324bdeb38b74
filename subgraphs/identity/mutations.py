"""identity's root mutation fields (the kernel commits once all of them succeed).

Sign-in failures, locks and refresh-token reuse are recorded by the services in their own
transaction (see `authentication`), so they persist although these mutations then fail.
"""

from __future__ import annotations

import strawberry
from strawberry.federation.schema_directives import Authenticated
from strawberry.types import Info

from subgraphs.identity import authentication, mfa, password_reset, services
from subgraphs.identity.inputs import (
    ChangeRoleInput,
    CompleteMfaLoginInput,
    CompletePasswordResetInput,
    DisableUserInput,
    EnableUserInput,
    LoginInput,
    LogoutInput,
    MfaCodeInput,
    RefreshSessionInput,
    RegisterUserInput,
    RequestPasswordResetInput,
    RevokeSessionInput,
)
from subgraphs.identity.queries import ADMIN_ONLY
from subgraphs.identity.state import client_of, identity_state
from subgraphs.identity.types import (
    AuthTokens,
    CompleteMfaLoginPayload,
    CompletePasswordResetPayload,
    ConfirmMfaEnrolmentPayload,
    DisableMfaPayload,
    LoginPayload,
    LogoutPayload,
    MfaChallenge,
    MfaEnrolment,
    MfaStatus,
    RefreshSessionPayload,
    RequestPasswordResetPayload,
    RevokeSessionPayload,
    Session,
    User,
    UserPayload,
)
from subgraphs.kernel.context import SubgraphContext

Context = Info[SubgraphContext, None]
RESET_REQUESTED = (
    "If an account uses this email, a link to choose a new password is on its way. "
    "It works once, within 30 minutes."
)


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
        return User.from_model(user, disclosed=True)

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

    @strawberry.mutation(
        description=(
            "Email a single-use password-reset link (valid 30 minutes). The answer is the same "
            "whether or not the email has an account."
        )
    )
    async def request_password_reset(
        self, info: Context, input: RequestPasswordResetInput
    ) -> RequestPasswordResetPayload:
        state = identity_state(info.context.request)
        await password_reset.request_password_reset(
            info.context.session,
            email=input.email,
            client=client_of(info.context.request),
            sender=state.email_sender,
            background=state.background,
            link_base=state.settings.password_reset_url,
        )
        return RequestPasswordResetPayload(message=RESET_REQUESTED)

    @strawberry.mutation(
        description=(
            "Set a new password with the token of a reset email; every session of the account "
            "is revoked. A used, expired or unknown token: BAD_USER_INPUT (reason "
            "INVALID_RESET_TOKEN)."
        )
    )
    async def complete_password_reset(
        self, info: Context, input: CompletePasswordResetInput
    ) -> CompletePasswordResetPayload:
        user = await password_reset.complete_password_reset(
            info.context.session,
            token=input.token,
            new_password=input.new_password,
            client=client_of(info.context.request),
        )
        return CompletePasswordResetPayload(user=User.from_model(user, disclosed=True))

    @strawberry.mutation(
        description="Begin MFA enrolment: a TOTP secret, its otpauth URI and a QR code.",
        directives=[Authenticated()],
    )
    async def start_mfa_enrolment(self, info: Context) -> MfaEnrolment:
        user = await authentication.current_user(info.context.session, info.context.viewer)
        enrolment = await mfa.start_mfa_enrolment(
            info.context.session, user=user, client=client_of(info.context.request)
        )
        return MfaEnrolment(
            secret=enrolment.secret,
            otpauth_uri=enrolment.otpauth_uri,
            qr_code_data_url=enrolment.qr_code_data_url,
        )

    @strawberry.mutation(
        description="Enable MFA with a first code; returns ten recovery codes (shown once).",
        directives=[Authenticated()],
    )
    async def confirm_mfa_enrolment(
        self, info: Context, input: MfaCodeInput
    ) -> ConfirmMfaEnrolmentPayload:
        user = await authentication.current_user(info.context.session, info.context.viewer)
        codes = await mfa.confirm_mfa_enrolment(
            info.context.session, user=user, code=input.code, client=client_of(info.context.request)
        )
        return ConfirmMfaEnrolmentPayload(
            mfa=MfaStatus(enabled=True, recovery_codes_left=len(codes)), recovery_codes=codes
        )

    @strawberry.mutation(
        description="Turn MFA off; needs a fresh TOTP code or a recovery code.",
        directives=[Authenticated()],
    )
    async def disable_mfa(self, info: Context, input: MfaCodeInput) -> DisableMfaPayload:
        user = await authentication.current_user(info.context.session, info.context.viewer)
        await mfa.disable_mfa(
            info.context.session, user=user, code=input.code, client=client_of(info.context.request)
        )
        return DisableMfaPayload(mfa=MfaStatus(enabled=False, recovery_codes_left=0))

    @strawberry.mutation(
        description=(
            "Finish a sign-in that answered with an MFA challenge, with a TOTP or recovery code "
            "(tokens then carry amr [pwd, otp])."
        )
    )
    async def complete_mfa_login(
        self, info: Context, input: CompleteMfaLoginInput
    ) -> CompleteMfaLoginPayload:
        issued = await mfa.complete_mfa_login(
            info.context.session,
            identity_state(info.context.request).tokens,
            challenge_id=str(input.challenge_id),
            code=input.code,
            client=client_of(info.context.request),
        )
        return CompleteMfaLoginPayload(tokens=AuthTokens.from_issued(issued))
