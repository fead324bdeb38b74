"""support's demo data: tickets of the shared demo users (idempotent)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.kernel.demo import demo_id, demo_user_id
from subgraphs.support.models import TicketPriority, TicketStatus
from subgraphs.support.services import get_ticket, open_ticket, update_ticket_status


@dataclass(frozen=True, slots=True)
class DemoTicket:
    handle: str
    requester: str
    subject: str
    body: str
    priority: TicketPriority
    order: str | None = None  # commerce's demo order handle
    # Statuses the ticket walks through after opening (each move must be allowed).
    moves: tuple[TicketStatus, ...] = ()

    @property
    def id(self) -> str:
        return demo_id("ticket", self.handle)


DEMO_TICKETS: tuple[DemoTicket, ...] = (
    DemoTicket(
        "alice-mug-cracked",
        "alice",
        "My mug arrived cracked",
        "The speckled mug from order alice-1 has a crack along the handle. "
        "Could I get a replacement or a refund?",
        TicketPriority.HIGH,
        order="alice-1",
        moves=(TicketStatus.IN_PROGRESS,),
    ),
    DemoTicket(
        "bob-login",
        "bob",
        "Cannot change my display name",
        "Saving my profile shows a spinner forever.",
        TicketPriority.NORMAL,
        moves=(TicketStatus.WAITING_ON_CUSTOMER,),
    ),
    DemoTicket(
        "carol-payout",
        "carol",
        "When are seller payouts sent?",
        "I sold three items this week and would like to know when the money arrives.",
        TicketPriority.LOW,
        moves=(TicketStatus.IN_PROGRESS, TicketStatus.RESOLVED),
    ),
)


async def seed_demo(session: AsyncSession) -> None:
    for demo in DEMO_TICKETS:
        if await get_ticket(session, ticket_id=demo.id) is not None:
            continue
        await open_ticket(
            session,
            ticket_id=demo.id,
            requester_id=demo_user_id(demo.requester),
            subject=demo.subject,
            body=demo.body,
            priority=demo.priority,
            order_id=demo_id("order", demo.order) if demo.order else None,
        )
        for status in demo.moves:
            await update_ticket_status(session, actor=None, ticket_id=demo.id, status=status)
