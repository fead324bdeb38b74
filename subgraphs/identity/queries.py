"""identity's root query fields (thin: decode arguments, call a loader or service, map)."""

from __future__ import annotations

import strawberry
from strawberry.federation.schema_directives import Authenticated, RequiresScopes
from strawberry.types import Info

from subgraphs.identity import audit, authentication, mfa, services
from subgraphs.identity.inputs import AuditLogFilter, UserSearchFilter
from subgraphs.identity.loaders import user_by_id
from subgraphs.identity.types import STAFF, AuditEvent, MfaStatus, Session, User
from subgraphs.kernel.context import SubgraphContext
from subgraphs.kernel.pagination import Connection

ADMIN_ONLY = RequiresScopes(scopes=[["admin"]])
STAFF_ONLY = RequiresScopes(scopes=[[scope] for scope in STAFF])


@strawberry.type
class Query:
    @strawberry.field(
        description="The signed-in user, or null when anonymous.", directives=[Authenticated()]
    )
    async def me(self, info: Info[SubgraphContext, None]) -> User | None:
        if info.context.viewer.user_id is None:
            return None
        user = await authentication.current_user(info.context.session, info.context.viewer)
        return User.from_model(user)

    @strawberry.field(description="A user by id, or null when there is none.")
    async def user(self, info: Info[SubgraphContext, None], id: strawberry.ID) -> User | None:
        found = await info.context.loaders.get(user_by_id).load(str(id))
        return User.from_model(found) if found is not None else None

    @strawberry.field(
        description="Staff (support, admin): every user, oldest first.",
        directives=[STAFF_ONLY],
    )
    async def users(
        self,
        info: Info[SubgraphContext, None],
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[User] | None:
        info.context.viewer.require_scope(*STAFF)
        page = await services.list_users(info.context.session, first=first, after=after)
        return Connection.from_page(page, User.from_model)

    @strawberry.field(
        description="The viewer's active sessions (devices), most recently used first.",
        directives=[Authenticated()],
    )
    async def my_sessions(self, info: Info[SubgraphContext, None]) -> list[Session]:
        viewer = info.context.viewer
        user = await authentication.current_user(info.context.session, viewer)
        rows = await authentication.list_sessions(info.context.session, user_id=user.id)
        return [Session.from_model(row, current_id=viewer.session_id) for row in rows]

    @strawberry.field(
        description="Whether the viewer's account uses MFA.", directives=[Authenticated()]
    )
    async def my_mfa(self, info: Info[SubgraphContext, None]) -> MfaStatus:
        user = await authentication.current_user(info.context.session, info.context.viewer)
        left = await mfa.recovery_codes_left(info.context.session, user_id=user.id)
        return MfaStatus(enabled=user.mfa_enabled_at is not None, recovery_codes_left=left)

    @strawberry.field(
        description="Administrators: users by email/name, role and status, oldest first.",
        directives=[ADMIN_ONLY],
    )
    async def search_users(
        self,
        info: Info[SubgraphContext, None],
        filter: UserSearchFilter | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[User]:
        await services.require_admin(info.context.session, info.context.viewer)
        chosen = filter or UserSearchFilter()
        page = await services.search_users(
            info.context.session,
            query=chosen.query,
            role=chosen.role,
            status=chosen.status,
            first=first,
            after=after,
        )
        return Connection.from_page(page, User.from_model)

    @strawberry.field(
        description="Administrators: the security audit log, newest first.",
        directives=[ADMIN_ONLY],
    )
    async def audit_log(
        self,
        info: Info[SubgraphContext, None],
        first: int | None = None,
        after: str | None = None,
        filter: AuditLogFilter | None = None,
    ) -> Connection[AuditEvent]:
        await services.require_admin(info.context.session, info.context.viewer)
        chosen = filter or AuditLogFilter()
        page = await audit.list_audit_events(
            info.context.session,
            filter=audit.AuditFilter(
                kinds=tuple(chosen.kinds or ()),
                user_id=str(chosen.user_id) if chosen.user_id is not None else None,
                since=chosen.since,
                until=chosen.until,
            ),
            first=first,
            after=after,
        )
        return Connection.from_page(page, AuditEvent.from_model)
