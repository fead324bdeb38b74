"""support's GraphQL types: `Ticket` is owned here; `User` (identity's) is extended with
`tickets`; `Order` (commerce's) is only referenced.

Access (issue 4, rules in `access.py`): `Ticket` is `@authenticated`; every way to a ticket
(`Query.ticket`, `User.tickets`, entity references) lets only its requester and staff (support
agents, administrators) through, also when the router is bypassed."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.federation.schema_directives import Key
from strawberry.federation.types import FieldSet
from strawberry.types import Info

from subgraphs.kernel.access import require_owner_or_staff
from subgraphs.kernel.context import SubgraphContext
from subgraphs.kernel.loaders import PageKey
from subgraphs.kernel.pagination import Connection
from subgraphs.support import models
from subgraphs.support.access import STAFF, check_ticket_visible
from subgraphs.support.enums import TicketPriority, TicketStatus
from subgraphs.support.loaders import ticket_by_id, tickets_page_by_requester


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
