"""support's root mutation fields (the kernel commits once all of them succeed)."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from subgraphs.kernel.access import acting_user_id
from subgraphs.kernel.context import SubgraphContext
from subgraphs.kernel.errors import BadUserInput
from subgraphs.support import notifications, services
from subgraphs.support.access import STAFF
from subgraphs.support.inputs import (
    MarkNotificationReadInput,
    OpenTicketInput,
    QuietHoursInput,
    RegisterPushSubscriptionInput,
    RemovePushSubscriptionInput,
    UpdateNotificationPreferencesInput,
    UpdateNotificationSettingsInput,
    UpdateTicketStatusInput,
)
from subgraphs.support.notification_views import settings_view
from subgraphs.support.quiet_hours import parse_clock
from subgraphs.support.types import Notification, NotificationSettings, PushSubscription, Ticket


@strawberry.type
class Mutation:
    @strawberry.federation.mutation(
        authenticated=True,
        description=(
            "Open a ticket (status OPEN) for the signed-in user (support staff: for `requesterId`)."
        ),
    )
    async def open_ticket(
        self, info: Info[SubgraphContext, None], input: OpenTicketInput
    ) -> Ticket:
        requested = str(input.requester_id) if input.requester_id is not None else None
        ticket = await services.open_ticket(
            info.context.session,
            requester_id=acting_user_id(
                info.context.viewer, requested, staff=STAFF, field="requesterId"
            ),
            subject=input.subject,
            body=input.body,
            priority=input.priority,
            order_id=str(input.order_id) if input.order_id is not None else None,
        )
        return Ticket.from_model(ticket)

    @strawberry.federation.mutation(
        authenticated=True,
        description=(
            "Move a ticket along the workflow; a move the workflow forbids is CONFLICT. Support "
            "staff make any move; the requester may only close or reopen (OPEN) their ticket; "
            "anyone else: FORBIDDEN."
        ),
    )
    async def update_ticket_status(
        self, info: Info[SubgraphContext, None], input: UpdateTicketStatusInput
    ) -> Ticket:
        ticket = await services.update_ticket_status(
            info.context.session,
            actor=info.context.viewer,
            ticket_id=str(input.ticket_id),
            status=input.status,
        )
        return Ticket.from_model(ticket)

    @strawberry.federation.mutation(
        authenticated=True,
        description=(
            "Mark one of the signed-in user's notifications read (someone else's: NOT_FOUND)."
        ),
    )
    async def mark_notification_read(
        self, info: Info[SubgraphContext, None], input: MarkNotificationReadInput
    ) -> Notification:
        found = await notifications.mark_read(
            info.context.session,
            user_id=info.context.viewer.require_user_id(),
            notification_id=str(input.id),
        )
        return Notification.from_model(found)

    @strawberry.federation.mutation(
        authenticated=True,
        description="Mark all the signed-in user's notifications read; how many were unread.",
    )
    async def mark_all_notifications_read(self, info: Info[SubgraphContext, None]) -> int:
        return await notifications.mark_all_read(
            info.context.session, user_id=info.context.viewer.require_user_id()
        )

    @strawberry.federation.mutation(
        authenticated=True,
        description=(
            "Switch categories on or off per channel (SECURITY always reaches the inbox)."
        ),
    )
    async def update_notification_preferences(
        self, info: Info[SubgraphContext, None], input: UpdateNotificationPreferencesInput
    ) -> NotificationSettings:
        user_id = info.context.viewer.require_user_id()
        await notifications.set_preferences(
            info.context.session,
            user_id=user_id,
            changes=[(p.category, p.channel, p.enabled) for p in input.preferences],
        )
        return await settings_view(info.context.session, info.context.request, user_id)

    @strawberry.federation.mutation(
        authenticated=True,
        description="Change the notification email, SMS number or quiet hours.",
    )
    async def update_notification_settings(
        self, info: Info[SubgraphContext, None], input: UpdateNotificationSettingsInput
    ) -> NotificationSettings:
        user_id = info.context.viewer.require_user_id()
        changes: dict[str, object] = {}
        if input.email is not strawberry.UNSET:
            changes["email"] = input.email
        if input.phone_number is not strawberry.UNSET:
            changes["phone_number"] = input.phone_number
        if input.quiet_hours is not strawberry.UNSET:
            changes["quiet_hours"] = _quiet_hours(input.quiet_hours)
        await notifications.update_settings(info.context.session, user_id=user_id, **changes)
        return await settings_view(info.context.session, info.context.request, user_id)

    @strawberry.federation.mutation(
        authenticated=True,
        description="Register a browser (its PushSubscription) for push notifications.",
    )
    async def register_push_subscription(
        self, info: Info[SubgraphContext, None], input: RegisterPushSubscriptionInput
    ) -> PushSubscription:
        production = info.context.request.app.state.settings.is_production
        found = await notifications.register_push_subscription(
            info.context.session,
            user_id=info.context.viewer.require_user_id(),
            endpoint=input.endpoint,
            p256dh=input.keys.p256dh,
            auth=input.keys.auth,
            allow_loopback_http=not production,
            public_endpoints_only=production,
        )
        return PushSubscription.from_model(found)

    @strawberry.federation.mutation(
        authenticated=True,
        description="Stop push notifications to a browser; false when it was not registered.",
    )
    async def remove_push_subscription(
        self, info: Info[SubgraphContext, None], input: RemovePushSubscriptionInput
    ) -> bool:
        return await notifications.remove_push_subscription(
            info.context.session,
            user_id=info.context.viewer.require_user_id(),
            subscription_id=str(input.id),
        )


def _quiet_hours(given: QuietHoursInput | None) -> notifications.QuietHoursChange | None:
    if given is None:
        return None
    try:
        start, end = parse_clock(given.start), parse_clock(given.end)
    except ValueError as error:
        raise BadUserInput(str(error), field="quietHours") from error
    return notifications.QuietHoursChange(
        start_minute=start, end_minute=end, timezone=given.timezone
    )
