"""support's business logic. Functions take the session, never commit, never import Strawberry."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.kernel.context import Viewer
from subgraphs.kernel.db import utcnow
from subgraphs.kernel.events import record_event
from subgraphs.kernel.pagination import Page, paginate, paginate_by_parent
from subgraphs.kernel.validation import parse_id, required_text
from subgraphs.support.access import check_ticket_move
from subgraphs.support.errors import (
    IllegalStatusChange,
    TicketNotFound,
)
from subgraphs.support.models import Ticket, TicketPriority, TicketStatus
from subgraphs.support.transitions import can_move

MAX_SUBJECT = 200
MAX_BODY = 10_000


async def get_ticket(session: AsyncSession, *, ticket_id: str) -> Ticket | None:
    return await session.get(Ticket, ticket_id)


async def list_tickets(
    session: AsyncSession,
    *,
    status: TicketStatus | None,
    first: int | None,
    after: str | None,
) -> Page[Ticket]:
    """Every ticket (or those in `status`), newest first."""
    statement = select(Ticket)
    if status is not None:
        statement = statement.where(Ticket.status == status)
    return await paginate(session, statement, first=first, after=after, descending=True)


async def list_tickets_of_requesters(
    session: AsyncSession,
    *,
    requester_ids: Sequence[str],
    first: int | None,
    after: str | None,
) -> dict[str, Page[Ticket]]:
    """Each requester's tickets newest first, one SELECT for all requesters."""
    return await paginate_by_parent(
        session,
        Ticket,
        parent_column=Ticket.requester_id,
        parent_ids=requester_ids,
        first=first,
        after=after,
        descending=True,
    )


async def open_ticket(
    session: AsyncSession,
    *,
    requester_id: str,
    subject: str,
    body: str,
    priority: TicketPriority = TicketPriority.NORMAL,
    order_id: str | None = None,
    ticket_id: str | None = None,
) -> Ticket:
    """A new OPEN ticket, optionally about one of commerce's orders."""
    now = utcnow()
    ticket = Ticket(
        requester_id=parse_id(requester_id, field="requesterId"),
        order_id=parse_id(order_id, field="orderId") if order_id is not None else None,
        subject=required_text(subject, field="subject", max_length=MAX_SUBJECT),
        body=required_text(body, field="body", max_length=MAX_BODY),
        priority=priority,
        status=TicketStatus.OPEN,
        created_at=now,
        updated_at=now,
    )
    if ticket_id is not None:
        ticket.id = ticket_id
    session.add(ticket)
    await session.flush()
    return ticket


async def update_ticket_status(
    session: AsyncSession, *, actor: Viewer | None, ticket_id: str, status: TicketStatus
) -> Ticket:
    """Move a ticket along the workflow; CONFLICT when `ALLOWED_TRANSITIONS` forbids it.
    `actor` must be allowed the move (`access.check_ticket_move`: FORBIDDEN); None is a
    trusted caller (seeding). Records `support.ticket.updated` (docs/events.md) for the
    requester, naming the actor (whose own moves notify nobody)."""
    if actor is not None:
        actor.require_user_id()
    ticket = await get_ticket(session, ticket_id=ticket_id)
    if ticket is None:
        raise TicketNotFound(ticket_id)
    if actor is not None:
        check_ticket_move(actor, ticket, status)
    if not can_move(ticket.status, status):
        raise IllegalStatusChange(ticket.status, status)
    previous = ticket.status
    ticket.status = status
    ticket.updated_at = utcnow()
    await session.flush()
    record_event(
        session,
        "support.ticket.updated",
        {
            "ticketId": ticket.id,
            "subject": ticket.subject,
            "status": status.value,
            "previousStatus": previous.value,
            "actorId": actor.user_id if actor is not None else None,
        },
        user_id=ticket.requester_id,
    )
    return ticket
