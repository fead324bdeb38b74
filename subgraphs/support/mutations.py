"""support's root mutation fields (the kernel commits once all of them succeed)."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from subgraphs.kernel.context import SubgraphContext
from subgraphs.support import services
from subgraphs.support.inputs import OpenTicketInput, UpdateTicketStatusInput
from subgraphs.support.types import Ticket


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Open a ticket (status OPEN).")
    async def open_ticket(
        self, info: Info[SubgraphContext, None], input: OpenTicketInput
    ) -> Ticket:
        ticket = await services.open_ticket(
            info.context.session,
            requester_id=str(input.requester_id),
            subject=input.subject,
            body=input.body,
            priority=input.priority,
            order_id=str(input.order_id) if input.order_id is not None else None,
        )
        return Ticket.from_model(ticket)

    @strawberry.mutation(
        description="Move a ticket along the workflow; a move the workflow forbids is CONFLICT."
    )
    async def update_ticket_status(
        self, info: Info[SubgraphContext, None], input: UpdateTicketStatusInput
    ) -> Ticket:
        ticket = await services.update_ticket_status(
            info.context.session, ticket_id=str(input.ticket_id), status=input.status
        )
        return Ticket.from_model(ticket)
