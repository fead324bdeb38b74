"""Which ticket status may follow which: the whole support workflow in one table."""

from __future__ import annotations

from subgraphs.support.models import TicketStatus

ALLOWED_TRANSITIONS: dict[TicketStatus, frozenset[TicketStatus]] = {
    TicketStatus.OPEN: frozenset(
        {
            TicketStatus.IN_PROGRESS,
            TicketStatus.WAITING_ON_CUSTOMER,
            TicketStatus.RESOLVED,
            TicketStatus.CLOSED,
        }
    ),
    TicketStatus.IN_PROGRESS: frozenset(
        {TicketStatus.WAITING_ON_CUSTOMER, TicketStatus.RESOLVED, TicketStatus.CLOSED}
    ),
    TicketStatus.WAITING_ON_CUSTOMER: frozenset(
        {TicketStatus.IN_PROGRESS, TicketStatus.RESOLVED, TicketStatus.CLOSED}
    ),
    # A resolved ticket is reopened when the customer says it is not fixed, else closed.
    TicketStatus.RESOLVED: frozenset({TicketStatus.OPEN, TicketStatus.CLOSED}),
    # Closed is final: a new problem gets a new ticket.
    TicketStatus.CLOSED: frozenset(),
}


def can_move(current: TicketStatus, wanted: TicketStatus) -> bool:
    return wanted in ALLOWED_TRANSITIONS[current]
