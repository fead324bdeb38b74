"""support's GraphQL input types."""

from __future__ import annotations

import strawberry

from subgraphs.support.enums import (
    NotificationCategory,
    NotificationChannel,
    TicketPriority,
    TicketStatus,
)


@strawberry.input
class OpenTicketInput:
    requester_id: strawberry.ID | None = strawberry.field(
        default=None,
        description=(
            "Support staff only: open the ticket for this customer. Everyone else omits it (or "
            "gives their own id): the requester is the signed-in user."
        ),
    )
    subject: str = strawberry.field(description="1 to 200 characters after trimming.")
    body: str = strawberry.field(description="1 to 10000 characters after trimming.")
    priority: TicketPriority = TicketPriority.NORMAL
    order_id: strawberry.ID | None = strawberry.field(
        default=None, description="The order the complaint is about, if any."
    )


@strawberry.input
class UpdateTicketStatusInput:
    ticket_id: strawberry.ID
    status: TicketStatus


@strawberry.input
class MarkNotificationReadInput:
    id: strawberry.ID


@strawberry.input
class NotificationPreferenceInput:
    category: NotificationCategory
    channel: NotificationChannel
    enabled: bool


@strawberry.input
class UpdateNotificationPreferencesInput:
    preferences: list[NotificationPreferenceInput] = strawberry.field(
        description="The pairs to change; the others keep their value."
    )


@strawberry.input
class QuietHoursInput:
    start: str = strawberry.field(description="HH:MM, local time.")
    end: str = strawberry.field(description="HH:MM, local time; before start: the next day.")
    timezone: str = strawberry.field(description="IANA name, e.g. Europe/Paris.")


@strawberry.input
class UpdateNotificationSettingsInput:
    email: str | None = strawberry.field(
        default=strawberry.UNSET, description="Omit to keep; null to clear."
    )
    phone_number: str | None = strawberry.field(
        default=strawberry.UNSET, description="E.164 (+15551234567). Omit to keep; null to clear."
    )
    quiet_hours: QuietHoursInput | None = strawberry.field(
        default=strawberry.UNSET, description="Omit to keep; null: no quiet hours."
    )


@strawberry.input
class PushSubscriptionKeysInput:
    p256dh: str
    auth: str


@strawberry.input(description="A browser's PushSubscription.toJSON().")
class RegisterPushSubscriptionInput:
    endpoint: str
    keys: PushSubscriptionKeysInput


@strawberry.input
class RemovePushSubscriptionInput:
    id: strawberry.ID
