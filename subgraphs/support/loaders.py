"""support's DataLoader factories (one instance per request via `info.context.loaders`)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import NamedTuple

from aiodataloader import DataLoader
from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.kernel.loaders import loader_by_key
from subgraphs.kernel.pagination import Page
from subgraphs.support.models import Ticket
from subgraphs.support.services import list_tickets_by_ids, list_tickets_of_requesters


class RequesterTicketsKey(NamedTuple):
    requester_id: str
    first: int | None
    after: str | None


async def _fetch_tickets(session: AsyncSession, ids: Sequence[str]) -> Iterable[Ticket]:
    return await list_tickets_by_ids(session, ticket_ids=ids)


def ticket_by_id(session: AsyncSession) -> DataLoader[str, Ticket | None]:
    return loader_by_key(session, _fetch_tickets, key=lambda ticket: ticket.id)


def tickets_page_by_requester(
    session: AsyncSession,
) -> DataLoader[RequesterTicketsKey, Page[Ticket]]:
    """N requesters asking for the same page shape cost one SELECT."""

    async def batch(keys: list[RequesterTicketsKey]) -> list[Page[Ticket]]:
        shapes: dict[tuple[int | None, str | None], set[str]] = defaultdict(set)
        for key in keys:
            shapes[(key.first, key.after)].add(key.requester_id)
        pages: dict[RequesterTicketsKey, Page[Ticket]] = {}
        for (first, after), requester_ids in shapes.items():
            found = await list_tickets_of_requesters(
                session, requester_ids=sorted(requester_ids), first=first, after=after
            )
            for requester_id, page in found.items():
                pages[RequesterTicketsKey(requester_id, first, after)] = page
        return [pages[key] for key in keys]

    return DataLoader(batch)
