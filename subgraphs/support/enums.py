"""support's GraphQL enums: the domain enums themselves, registered once with Strawberry.

Import them from here (not from models) in types and inputs so every use sees the registration.
"""

from __future__ import annotations

import strawberry

from subgraphs.support.models import (
    DeliveryStatus,
    NotificationCategory,
    NotificationChannel,
    TicketPriority,
    TicketStatus,
)

strawberry.enum(
    TicketStatus,
    name="TicketStatus",
    description="Where a ticket is in the support workflow.",
)
strawberry.enum(TicketPriority, name="TicketPriority", description="How urgent a ticket is.")

strawberry.enum(
    NotificationCategory,
    name="NotificationCategory",
    description="What a notification is about; preferences are kept per category and channel.",
)
strawberry.enum(
    NotificationChannel,
    name="NotificationChannel",
    description="Where a notification can reach its user: the in-app inbox, email, SMS, push.",
)
strawberry.enum(
    DeliveryStatus,
    name="DeliveryStatus",
    description=(
        "PENDING: to be sent (again, at nextAttemptAt); HELD: waiting for the user's quiet hours "
        "to end; SENT: handed to the provider; FAILED: given up (see lastError)."
    ),
)

__all__ = [
    "DeliveryStatus",
    "NotificationCategory",
    "NotificationChannel",
    "TicketPriority",
    "TicketStatus",
]
