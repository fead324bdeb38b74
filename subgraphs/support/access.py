"""Who may see and change tickets (issue 4); used by resolvers and services alike.

- A ticket is seen by its requester and by staff (support agents, administrators); anyone else
  signed in is FORBIDDEN (ticket ids are random UUIDs: FORBIDDEN reveals nothing guessable),
  anonymous UNAUTHENTICATED. The whole queue (`Query.tickets`) is staff only.
- Staff move a ticket along any step the workflow allows; its requester may only close it or
  reopen it (OPEN, from RESOLVED as the workflow says).
- Staff may open a ticket on behalf of a customer (`requesterId`); everyone else opens their own.
"""

from __future__ import annotations

from typing import Final

from subgraphs.kernel.access import is_staff, require_owner_or_staff
from subgraphs.kernel.context import Viewer
from subgraphs.kernel.errors import Forbidden
from subgraphs.support.models import Ticket, TicketStatus

STAFF: Final = ("support", "admin")
REQUESTER_MOVES: Final = frozenset({TicketStatus.OPEN, TicketStatus.CLOSED})


def check_ticket_visible(viewer: Viewer, ticket: Ticket) -> None:
    require_owner_or_staff(viewer, ticket.requester_id, staff=STAFF, what=f"ticket {ticket.id}")


def check_ticket_move(viewer: Viewer, ticket: Ticket, status: TicketStatus) -> None:
    check_ticket_visible(viewer, ticket)
    if is_staff(viewer, STAFF) or status in REQUESTER_MOVES:
        return
    raise Forbidden(f"Only support staff may mark a ticket {status.value}.")
