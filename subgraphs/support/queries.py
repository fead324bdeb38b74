"""support's root query fields (thin: decode arguments, call a loader or service, map)."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from subgraphs.kernel.context import SubgraphContext
from subgraphs.kernel.pagination import Connection
from subgraphs.support import notifications, services
from subgraphs.support.access import STAFF, check_ticket_visible
from subgraphs.support.enums import TicketStatus
from subgraphs.support.loaders import ticket_by_id
from subgraphs.support.notification_views import settings_view
from subgraphs.support.types import Notification, NotificationSettings, Ticket


@strawberry.type
class Query:
    @strawberry.federation.field(
        authenticated=True,
        description=(
            "A ticket by id, or null when there is none. Only its requester and staff (support "
            "agents, administrators): anyone else is FORBIDDEN."
        ),
    )
    async def ticket(self, info: Info[SubgraphContext, None], id: strawberry.ID) -> Ticket | None:
        info.context.viewer.require_user_id()
        found = await info.context.loaders.get(ticket_by_id).load(str(id))
        if found is None:
            return None
        check_ticket_visible(info.context.viewer, found)
        return Ticket.from_model(found)

    @strawberry.federation.field(
        requires_scopes=[["support"], ["admin"]],
        description=(
            "Support staff: every ticket, or those in `status`, newest first (null for anyone "
            "else, with FORBIDDEN)."
        ),
    )
    async def tickets(
        self,
        info: Info[SubgraphContext, None],
        first: int | None = None,
        after: str | None = None,
        status: TicketStatus | None = None,
    ) -> Connection[Ticket] | None:
        info.context.viewer.require_scope(*STAFF)
        page = await services.list_tickets(
            info.context.session, status=status, first=first, after=after
        )
        return Connection.from_page(page, Ticket.from_model)

    @strawberry.federation.field(
        authenticated=True,
        description=(
            "The signed-in user's notifications, newest first (only unread ones with "
            "`unreadOnly`). Nobody sees anyone else's."
        ),
    )
    async def notifications(
        self,
        info: Info[SubgraphContext, None],
        first: int | None = None,
        after: str | None = None,
        unread_only: bool = False,
    ) -> Connection[Notification] | None:
        page = await notifications.list_notifications(
            info.context.session,
            user_id=info.context.viewer.require_user_id(),
            first=first,
            after=after,
            unread_only=unread_only,
        )
        return Connection.from_page(page, Notification.from_model)

    @strawberry.federation.field(
        authenticated=True, description="How many of the signed-in user's notifications are unread."
    )
    async def unread_notification_count(self, info: Info[SubgraphContext, None]) -> int | None:
        return await notifications.unread_count(
            info.context.session, user_id=info.context.viewer.require_user_id()
        )

    @strawberry.federation.field(
        authenticated=True,
        description=(
            "The signed-in user's notification preferences, contact points, quiet hours and "
            "push-registered browsers."
        ),
    )
    async def notification_settings(
        self, info: Info[SubgraphContext, None]
    ) -> NotificationSettings | None:
        user_id = info.context.viewer.require_user_id()
        return await settings_view(info.context.session, info.context.request, user_id)
