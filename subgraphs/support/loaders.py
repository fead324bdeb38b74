"""support's DataLoader factories (one instance per request via `info.context.loaders`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from aiodataloader import DataLoader
from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.kernel.loaders import PageKey, loader_by_id, loader_paged_by_key
from subgraphs.kernel.pagination import Page
from subgraphs.support.models import Ticket
from subgraphs.support.services import list_tickets_of_requesters


async def _fetch_ticket_pages(
    session: AsyncSession, requester_ids: Sequence[str], shape: PageKey
) -> Mapping[str, Page[Ticket]]:
    return await list_tickets_of_requesters(
        session, requester_ids=requester_ids, first=shape.first, after=shape.after
    )


def ticket_by_id(session: AsyncSession) -> DataLoader[str, Ticket | None]:
    return loader_by_id(session, Ticket)


def tickets_page_by_requester(session: AsyncSession) -> DataLoader[PageKey, Page[Ticket]]:
    """N requesters asking for the same page shape cost one SELECT."""
    return loader_paged_by_key(session, _fetch_ticket_pages)
