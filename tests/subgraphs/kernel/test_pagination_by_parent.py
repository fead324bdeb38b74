"""`paginate_by_parent`: one page per parent in one SELECT, same cursors and rules as
`paginate`, and `loader_paged_by_key` batching N parents' pages into one query."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.kernel.db import Database, open_database
from subgraphs.kernel.errors import BadUserInput
from subgraphs.kernel.loaders import PageKey, loader_paged_by_key
from subgraphs.kernel.pagination import Page, paginate, paginate_by_parent
from subgraphs.kernel.testing import count_statements, migrated_settings, selects
from subgraphs.support.models import Ticket, TicketStatus

START = datetime(2026, 1, 1, tzinfo=UTC)
ANN, BEN, CID = "ann", "ben", "cid"


@pytest.fixture
async def database(tmp_path) -> AsyncIterator[Database]:
    settings = await migrated_settings("support", tmp_path)
    database = open_database(settings.database_url("support"))
    async with database.sessions() as session:
        # ann: five tickets (two share a timestamp), ben: two, cid: none.
        for requester, minutes in [(ANN, m) for m in (0, 1, 1, 2, 3)] + [(BEN, 0), (BEN, 5)]:
            index = len(session.new)
            session.add(
                Ticket(
                    id=f"{requester}-{index}",
                    requester_id=requester,
                    subject=f"{requester} {index}",
                    body="help",
                    status=TicketStatus.CLOSED if index == 4 else TicketStatus.OPEN,
                    created_at=START + timedelta(minutes=minutes),
                    updated_at=START,
                )
            )
        await session.commit()
    yield database
    await database.dispose()


def ids(page: Page[Ticket]) -> list[str]:
    return [ticket.id for _, ticket in page.rows]


async def by_parent(session: AsyncSession, **options) -> dict[str, Page[Ticket]]:
    return await paginate_by_parent(
        session, Ticket, parent_column=Ticket.requester_id, parent_ids=[ANN, BEN, CID], **options
    )


@pytest.mark.parametrize("descending", [False, True])
async def test_each_parent_gets_the_page_paginate_would_give_in_one_select(database, descending):
    async with database.sessions() as session:
        with count_statements(database.engine) as statements:
            pages = await by_parent(session, first=2, after=None, descending=descending)
        assert len(selects(statements)) == 1, statements

        for requester in (ANN, BEN, CID):
            alone = await paginate(
                session,
                select(Ticket).where(Ticket.requester_id == requester),
                first=2,
                after=None,
                descending=descending,
            )
            assert pages[requester] == alone, requester
    assert ids(pages[CID]) == [] and pages[CID].has_next_page is False


async def test_cursor_of_one_parent_continues_that_parents_list(database):
    async with database.sessions() as session:
        seen: list[str] = []
        after = None
        while True:
            page = (await by_parent(session, first=2, after=after, descending=True))[ANN]
            seen += ids(page)
            if not page.has_next_page:
                break
            after = page.rows[-1][0]

    assert seen == ["ann-4", "ann-3", "ann-2", "ann-1", "ann-0"]


async def test_extra_filters_apply_to_every_parent(database):
    async with database.sessions() as session:
        pages = await by_parent(
            session, first=10, after=None, extra_filters=(Ticket.status == TicketStatus.OPEN,)
        )

    assert ids(pages[ANN]) == ["ann-0", "ann-1", "ann-2", "ann-3"]


@pytest.mark.parametrize(("first", "after"), [(0, None), (101, None), (2, "not a cursor")])
async def test_bad_first_or_cursor_is_bad_user_input(database, first, after):
    async with database.sessions() as session:
        with pytest.raises(BadUserInput):
            await by_parent(session, first=first, after=after)


async def test_paged_loader_batches_parents_per_shape_and_fails_only_a_bad_shape(database):
    async def fetch(session, parent_ids, shape):
        return await paginate_by_parent(
            session,
            Ticket,
            parent_column=Ticket.requester_id,
            parent_ids=parent_ids,
            first=shape.first,
            after=shape.after,
        )

    async with database.sessions() as session:
        loader = loader_paged_by_key(session, fetch)
        with count_statements(database.engine) as statements:
            ann, ben, cid, bad = await asyncio.gather(
                loader.load(PageKey(ANN, 2, None)),
                loader.load(PageKey(BEN, 2, None)),
                loader.load(PageKey(CID, 2, None)),
                loader.load(PageKey(ANN, 0, None)),
                return_exceptions=True,
            )

    assert len(selects(statements)) == 1, statements
    assert (ids(ann), ids(ben), ids(cid)) == (["ann-0", "ann-1"], ["ben-5", "ben-6"], [])
    assert isinstance(bad, BadUserInput)
