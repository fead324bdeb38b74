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
from subgraphs.kernel.pagination import Page, encode_cursor, paginate, paginate_by_parent
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


# --- hasPreviousPage per parent: true iff that parent's filtered rows reach `after` or before


def cursor_at(minutes: float, id: str) -> str:
    return encode_cursor([START + timedelta(minutes=minutes), id])


TICKET_CURSORS = {
    "earlier_than_every_row": cursor_at(-1, ""),
    "later_than_every_row": cursor_at(60, ""),
    **{
        f"{requester}-{index}": cursor_at(minutes, f"{requester}-{index}")
        for index, (requester, minutes) in enumerate(
            [(ANN, 0), (ANN, 1), (ANN, 1), (ANN, 2), (ANN, 3), (BEN, 0), (BEN, 5)]
        )
    },
}


@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("first", [1, 2, 10])
@pytest.mark.parametrize("after", list(TICKET_CURSORS))
@pytest.mark.parametrize("open_only", [False, True])
async def test_every_parents_page_after_any_cursor_is_paginates_in_one_select(
    database, descending, first, after, open_only
):
    filters = (Ticket.status == TicketStatus.OPEN,) if open_only else ()
    options = {"first": first, "after": TICKET_CURSORS[after], "descending": descending}
    async with database.sessions() as session:
        with count_statements(database.engine) as statements:
            pages = await by_parent(session, extra_filters=filters, **options)
        assert len(selects(statements)) == 1, statements

        for requester in (ANN, BEN, CID):
            statement = select(Ticket).where(Ticket.requester_id == requester, *filters)
            assert pages[requester] == await paginate(session, statement, **options), requester


def previous_flags(pages: dict[str, Page[Ticket]]) -> dict[str, bool]:
    return {requester: page.has_previous_page for requester, page in pages.items()}


@pytest.mark.parametrize(
    ("descending", "after", "expected"),
    [
        (False, "earlier_than_every_row", {ANN: False, BEN: False, CID: False}),
        (True, "later_than_every_row", {ANN: False, BEN: False, CID: False}),
        # ann-2 (minute 1): ann's older tickets and ben-5 (minute 0) lie before it ascending;
        # only ben-6 (minute 5) does descending.
        (False, "ann-2", {ANN: True, BEN: True, CID: False}),
        (True, "ann-2", {ANN: True, BEN: True, CID: False}),
        (True, "ann-4", {ANN: True, BEN: True, CID: False}),
        # Past every row in the walking order: empty pages, a previous one where rows exist.
        (False, "later_than_every_row", {ANN: True, BEN: True, CID: False}),
        (True, "earlier_than_every_row", {ANN: True, BEN: True, CID: False}),
    ],
)
async def test_each_parent_has_a_previous_page_only_if_its_rows_precede_the_cursor(
    database, descending, after, expected
):
    async with database.sessions() as session:
        pages = await by_parent(
            session, first=2, after=TICKET_CURSORS[after], descending=descending
        )

    assert previous_flags(pages) == expected


async def test_cursor_of_a_row_the_filter_excludes_counts_only_the_rows_it_keeps(database):
    # ann-4 (minute 3) is CLOSED: newest first among OPEN tickets nothing of ann's is newer,
    # ben-6 (minute 5) is.
    async with database.sessions() as session:
        pages = await by_parent(
            session,
            first=2,
            after=TICKET_CURSORS["ann-4"],
            descending=True,
            extra_filters=(Ticket.status == TicketStatus.OPEN,),
        )

    assert (ids(pages[ANN]), ids(pages[BEN])) == (["ann-3", "ann-2"], ["ben-5"])
    assert previous_flags(pages) == {ANN: False, BEN: True, CID: False}
    assert (pages[ANN].has_next_page, pages[BEN].has_next_page) == (True, False)
