"""support's DataLoader factories (one instance per request via `info.context.loaders`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from aiodataloader import DataLoader
from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.kernel.loaders import (
    PageKey,
    loader_by_id,
    loader_grouped_by_key,
    loader_paged_by_key,
)
from subgraphs.kernel.pagination import Page
from subgraphs.support.models import Delivery, Ticket
from subgraphs.support.notifications import deliveries_of_notifications
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


async def _fetch_deliveries(
    session: AsyncSession, notification_ids: Sequence[str]
) -> list[Delivery]:
    return await deliveries_of_notifications(session, notification_ids)


def deliveries_by_notification(session: AsyncSession) -> DataLoader[str, list[Delivery]]:
    return loader_grouped_by_key(session, _fetch_deliveries, key=lambda row: row.notification_id)
