"""support's GraphQL types: `Ticket` is owned here; `User` (identity's) is extended with
`tickets`; `Order` (commerce's) is only referenced.

Access (issue 4, rules in `access.py`): `Ticket` is `@authenticated`; every way to a ticket
(`Query.ticket`, `User.tickets`, entity references) lets only its requester and staff (support
agents, administrators) through, also when the router is bypassed."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry
from starlette.websockets import WebSocket
from strawberry.federation.schema_directives import Key
from strawberry.federation.types import FieldSet
from strawberry.types import Info

from subgraphs.kernel.access import require_owner_or_staff
from subgraphs.kernel.context import SubgraphContext
from subgraphs.kernel.loaders import PageKey
from subgraphs.kernel.pagination import Connection
from subgraphs.kernel.subscription_reads import fresh_reads
from subgraphs.support import models
from subgraphs.support.access import STAFF, check_ticket_visible
from subgraphs.support.enums import (
    DeliveryStatus,
    NotificationCategory,
    NotificationChannel,
    TicketPriority,
    TicketStatus,
)
from subgraphs.support.loaders import (
    deliveries_by_notification,
    ticket_by_id,
    tickets_page_by_requester,
)
from subgraphs.support.notifications import deliveries_of_notifications


@strawberry.federation.type(keys=[Key(fields=FieldSet("id"), resolvable=False)])
class Order:
    id: strawberry.ID


@strawberry.federation.type(keys=["id"])
class User:
    id: strawberry.ID

    @strawberry.federation.field(
        authenticated=True,
        description=(
            "Tickets the user opened, newest first. Only the user themself and staff (support "
            "agents, administrators): anyone else gets null and FORBIDDEN."
        ),
    )
    async def tickets(
        self,
        info: Info[SubgraphContext, None],
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Ticket] | None:
        require_owner_or_staff(
            info.context.viewer, str(self.id), staff=STAFF, what="this user's tickets"
        )
        key = PageKey(parent_id=str(self.id), first=first, after=after)
        page = await info.context.loaders.get(tickets_page_by_requester).load(key)
        return Connection.from_page(page, Ticket.from_model)


@strawberry.federation.type(
    keys=["id"],
    authenticated=True,
    description=(
        "A customer's request for help. Seen by its requester and staff (support agents, "
        "administrators); anyone else: FORBIDDEN."
    ),
)
class Ticket:
    id: strawberry.ID
    subject: str
    body: str
    status: TicketStatus
    priority: TicketPriority
    requester: User
    order: Order | None = strawberry.field(description="The order the ticket is about, if any.")
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_model(cls, ticket: models.Ticket) -> Ticket:
        return cls(
            id=strawberry.ID(ticket.id),
            subject=ticket.subject,
            body=ticket.body,
            status=ticket.status,
            priority=ticket.priority,
            requester=User(id=strawberry.ID(ticket.requester_id)),
            order=Order(id=strawberry.ID(ticket.order_id)) if ticket.order_id else None,
            created_at=ticket.created_at,
            updated_at=ticket.updated_at,
        )

    @classmethod
    async def resolve_reference(
        cls, info: Info[SubgraphContext, None], id: strawberry.ID
    ) -> Ticket | None:
        ticket = await info.context.loaders.get(ticket_by_id).load(str(id))
        if ticket is None:
            return None
        check_ticket_visible(info.context.viewer, ticket)
        return cls.from_model(ticket)


# --- notifications ----------------------------------------------------------------------------


@strawberry.type(description="What happened to one notification on one outside channel.")
class NotificationDelivery:
    channel: NotificationChannel
    status: DeliveryStatus
    attempts: int = strawberry.field(description="Attempts made so far.")
    next_attempt_at: datetime | None = strawberry.field(
        description="When it is tried next (PENDING) or released (HELD); null once done."
    )
    last_error: str | None = strawberry.field(description="Why the last attempt failed.")
    sent_at: datetime | None

    @classmethod
    def from_model(cls, delivery: models.Delivery) -> NotificationDelivery:
        return cls(
            channel=delivery.channel,
            status=delivery.status,
            attempts=delivery.attempts,
            next_attempt_at=delivery.next_attempt_at,
            last_error=delivery.last_error,
            sent_at=delivery.sent_at,
        )


@strawberry.federation.type(
    authenticated=True,
    description=(
        "A message for one user (payment received, order shipped, ticket updated, security). "
        "Only ever shown to that user."
    ),
)
class Notification:
    id: strawberry.ID
    category: NotificationCategory
    title: str
    body: str
    link: str | None = strawberry.field(description="Where in the app it leads, if anywhere.")
    urgent: bool = strawberry.field(description="Urgent notifications ignore quiet hours.")
    created_at: datetime
    read_at: datetime | None
    recipient: User
    order: Order | None = strawberry.field(description="The order it is about, if any.")
    ticket_id: strawberry.Private[str | None]

    @strawberry.field(description="The ticket it is about, if any.")
    async def ticket(self, info: Info[SubgraphContext, None]) -> Ticket | None:
        if self.ticket_id is None:
            return None
        if isinstance(info.context.request, WebSocket):  # a subscription event: read afresh
            async with fresh_reads(info) as session:
                found = await session.get(models.Ticket, self.ticket_id)
        else:  # a page of notifications: one SELECT for all their tickets
            found = await info.context.loaders.get(ticket_by_id).load(self.ticket_id)
        if found is None:
            return None
        check_ticket_visible(info.context.viewer, found)
        return Ticket.from_model(found)

    @strawberry.field(description="Whether the user has read it.")
    def read(self) -> bool:
        return self.read_at is not None

    @strawberry.field(description="Its email, SMS and push deliveries, oldest first.")
    async def deliveries(self, info: Info[SubgraphContext, None]) -> list[NotificationDelivery]:
        if isinstance(info.context.request, WebSocket):  # a subscription event: read afresh
            async with fresh_reads(info) as session:
                found = await deliveries_of_notifications(session, [str(self.id)])
        else:
            found = await info.context.loaders.get(deliveries_by_notification).load(str(self.id))
        return [NotificationDelivery.from_model(delivery) for delivery in found]

    @classmethod
    def from_model(cls, notification: models.Notification) -> Notification:
        return cls(
            id=strawberry.ID(notification.id),
            category=notification.category,
            title=notification.title,
            body=notification.body,
            link=notification.link,
            urgent=notification.urgent,
            created_at=notification.created_at,
            read_at=notification.read_at,
            recipient=User(id=strawberry.ID(notification.user_id)),
            order=Order(id=strawberry.ID(notification.order_id)) if notification.order_id else None,
            ticket_id=notification.ticket_id,
        )

    @classmethod
    def from_message(cls, message: dict[str, Any]) -> Notification:
        """From its bus message (`notification_message`)."""
        read_at = message.get("readAt")
        return cls(
            id=strawberry.ID(message["id"]),
            category=NotificationCategory(message["category"]),
            title=message["title"],
            body=message["body"],
            link=message.get("link"),
            urgent=bool(message.get("urgent")),
            created_at=datetime.fromisoformat(message["createdAt"]),
            read_at=datetime.fromisoformat(read_at) if read_at else None,
            recipient=User(id=strawberry.ID(message["userId"])),
            order=Order(id=strawberry.ID(message["orderId"])) if message.get("orderId") else None,
            ticket_id=message.get("ticketId"),
        )


@strawberry.type(description="Whether one category of notifications goes out on one channel.")
class NotificationPreference:
    category: NotificationCategory
    channel: NotificationChannel
    enabled: bool


@strawberry.type(
    description=(
        "A daily window in the user's timezone when non-urgent email, SMS and push wait "
        "(the inbox still gets everything at once)."
    )
)
class QuietHours:
    start: str = strawberry.field(description="HH:MM, local time.")
    end: str = strawberry.field(description="HH:MM, local time; before start: the next day.")
    timezone: str = strawberry.field(description="IANA name, e.g. Europe/Paris.")


@strawberry.type(description="A browser registered for push notifications.")
class PushSubscription:
    id: strawberry.ID
    endpoint: str
    created_at: datetime

    @classmethod
    def from_model(cls, subscription: models.PushSubscription) -> PushSubscription:
        return cls(
            id=strawberry.ID(subscription.id),
            endpoint=subscription.endpoint,
            created_at=subscription.created_at,
        )


@strawberry.type(description="How the signed-in user wants to be notified.")
class NotificationSettings:
    preferences: list[NotificationPreference] = strawberry.field(
        description="Every category x channel pair, with the user's choice or the default."
    )
    email: str | None = strawberry.field(description="Where email notifications go.")
    phone_number: str | None = strawberry.field(description="Where SMS go (E.164).")
    quiet_hours: QuietHours | None
    push_subscriptions: list[PushSubscription]
    push_public_key: str | None = strawberry.field(
        description="The VAPID public key browsers subscribe with (applicationServerKey)."
    )
