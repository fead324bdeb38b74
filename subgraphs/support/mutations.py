"""support's root mutation fields (the kernel commits once all of them succeed)."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from subgraphs.kernel.access import acting_user_id
from subgraphs.kernel.context import SubgraphContext
from subgraphs.support import services
from subgraphs.support.access import STAFF
from subgraphs.support.inputs import OpenTicketInput, UpdateTicketStatusInput
from subgraphs.support.types import Ticket


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
