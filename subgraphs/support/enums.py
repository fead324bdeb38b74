"""support's GraphQL enums: the domain enums themselves, registered once with Strawberry.

Import them from here (not from models) in types and inputs so every use sees the registration.
"""

from __future__ import annotations

import strawberry

from subgraphs.support.models import TicketPriority, TicketStatus

strawberry.enum(
    TicketStatus,
    name="TicketStatus",
    description="Where a ticket is in the support workflow.",
)
strawberry.enum(TicketPriority, name="TicketPriority", description="How urgent a ticket is.")

__all__ = ["TicketPriority", "TicketStatus"]
