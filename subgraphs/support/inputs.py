"""support's GraphQL input types."""

from __future__ import annotations

import strawberry

from subgraphs.support.enums import TicketPriority, TicketStatus


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
