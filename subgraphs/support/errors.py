"""support's domain errors."""

from __future__ import annotations

from subgraphs.kernel.errors import Conflict, NotFound
from subgraphs.support.models import TicketStatus


class TicketNotFound(NotFound):
    def __init__(self, ticket_id: str) -> None:
        super().__init__(f"There is no ticket {ticket_id}.", field="ticketId")


class IllegalStatusChange(Conflict):
    def __init__(self, current: TicketStatus, wanted: TicketStatus) -> None:
        super().__init__(
            f"A ticket that is {current.value} cannot move to {wanted.value}.",
            field="status",
            currentStatus=current.value,
        )
