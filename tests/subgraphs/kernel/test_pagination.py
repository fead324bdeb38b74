"""Keyset pagination: stable order with ties, bounded `first`, opaque and checked cursors."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from subgraphs.identity.models import User
from subgraphs.kernel.db import open_database
from subgraphs.kernel.errors import BadUserInput
from subgraphs.kernel.pagination import Connection, encode_cursor, paginate
from subgraphs.kernel.testing import count_statements, migrated_settings, selects

START = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture
async def session(tmp_path) -> AsyncIterator[AsyncSession]:
    settings = await migrated_settings("identity", tmp_path)
    database = open_database(settings.database_url("identity"))
    async with database.sessions() as session:
        # Two users share a timestamp so the id has to break the tie.
        for index, minutes in enumerate([0, 1, 1, 2, 3, 4, 5]):
            session.add(
                User(
                    id=f"00000000-0000-0000-0000-00000000000{index}",
                    email=f"u{index}@example.com",
                    display_name=f"User {index}",
                    roles=["USER"],
                    created_at=START + timedelta(minutes=minutes),
                )
            )
        await session.commit()
        yield session
    await database.dispose()


async def all_pages(session: AsyncSession, first: int) -> list[list[str]]:
    pages: list[list[str]] = []
    after = None
    while True:
        page = await paginate(session, select(User), first=first, after=after)
        pages.append([user.email for _, user in page.rows])
        if not page.has_next_page:
            return pages
        after = page.rows[-1][0]


async def test_pages_cover_every_row_once_in_created_at_then_id_order(session):
    assert await all_pages(session, first=3) == [
        ["u0@example.com", "u1@example.com", "u2@example.com"],
        ["u3@example.com", "u4@example.com", "u5@example.com"],
        ["u6@example.com"],
    ]


async def test_tied_timestamps_split_across_pages_are_not_lost(session):
    pages = await all_pages(session, first=2)

    assert [email for page in pages for email in page] == [f"u{i}@example.com" for i in range(7)]
    assert pages[0] == ["u0@example.com", "u1@example.com"]
    assert pages[1] == ["u2@example.com", "u3@example.com"]


async def test_page_flags_and_connection_cursors(session):
    first = await paginate(session, select(User), first=7, after=None)
    assert (first.has_next_page, first.has_previous_page) == (False, False)

    later = await paginate(session, select(User), first=2, after=first.rows[0][0])
    connection = Connection.from_page(later, lambda user: user.email)

    assert [edge.node for edge in connection.edges] == ["u1@example.com", "u2@example.com"]
    assert connection.page_info.has_next_page is True
    assert connection.page_info.has_previous_page is True
    assert connection.page_info.start_cursor == connection.edges[0].cursor
    assert connection.page_info.end_cursor == connection.edges[-1].cursor


async def test_empty_page_has_no_cursors(session):
    last = (await paginate(session, select(User), first=7, after=None)).rows[-1][0]
    connection = Connection.from_page(
        await paginate(session, select(User), first=5, after=last), lambda user: user.email
    )

    assert connection.edges == []
    assert connection.page_info.start_cursor is None
    assert connection.page_info.end_cursor is None
    assert connection.page_info.has_next_page is False


@pytest.mark.parametrize("first", [0, -1, 101])
async def test_first_out_of_range_is_bad_user_input(session, first):
    with pytest.raises(BadUserInput) as raised:
        await paginate(session, select(User), first=first, after=None)
    assert raised.value.extensions["code"] == "BAD_USER_INPUT"


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode()


@pytest.mark.parametrize(
    "cursor",
    [
        "not base64 at all!",
        b64(b"not json"),
        b64(b'{"t": 1}'),
        b64(b'["only-one-value"]'),
        b64(b'[{"t": "2026-01-01T00:00:00"}, "naive timestamp"]'),
        b64(b"[true, false]"),
        "é",
    ],
)
async def test_malformed_cursor_is_bad_user_input(session, cursor):
    with pytest.raises(BadUserInput, match="Invalid pagination cursor"):
        await paginate(session, select(User), first=2, after=cursor)


async def all_pages_newest_first(session: AsyncSession, first: int) -> list[list[str]]:
    pages: list[list[str]] = []
    after = None
    while True:
        page = await paginate(session, select(User), first=first, after=after, descending=True)
        pages.append([user.email for _, user in page.rows])
        if not page.has_next_page:
            return pages
        after = page.rows[-1][0]


async def test_descending_pages_walk_newest_first_with_ties_broken_by_id(session):
    assert await all_pages_newest_first(session, first=3) == [
        ["u6@example.com", "u5@example.com", "u4@example.com"],
        ["u3@example.com", "u2@example.com", "u1@example.com"],
        ["u0@example.com"],
    ]
    pages = await all_pages_newest_first(session, first=2)
    assert [email for page in pages for email in page] == [
        f"u{i}@example.com" for i in reversed(range(7))
    ]


async def test_descending_cursor_continues_below_its_row(session):
    first = await paginate(session, select(User), first=1, after=None, descending=True)
    later = await paginate(session, select(User), first=2, after=first.rows[0][0], descending=True)

    assert [user.email for _, user in later.rows] == ["u5@example.com", "u4@example.com"]
    assert (later.has_next_page, later.has_previous_page) == (True, True)


async def test_order_by_names_the_columns_and_the_cursor_width(session):
    by_email = await paginate(
        session, select(User), first=3, after=None, order_by=(User.email,), descending=True
    )
    assert [user.email for _, user in by_email.rows] == [
        "u6@example.com",
        "u5@example.com",
        "u4@example.com",
    ]
    with pytest.raises(BadUserInput, match="Invalid pagination cursor"):
        await paginate(session, select(User), first=3, after=by_email.rows[-1][0])


# --- hasPreviousPage is exact: true iff a row of the same filtered list sorts at or before `after`


def position(minutes: float, id: str) -> str:
    """A well-formed cursor for a position that need not be any row's."""
    return encode_cursor([START + timedelta(minutes=minutes), id])


def user_cursor(index: int, minutes: int) -> str:
    return position(minutes, f"00000000-0000-0000-0000-00000000000{index}")


BEFORE_ALL = {False: position(-1, ""), True: position(60, "")}  # by `descending`
PAST_ALL = {False: position(60, ""), True: position(-1, "")}


@pytest.mark.parametrize("descending", [False, True])
async def test_after_a_position_before_every_row_has_no_previous_page(session, descending):
    page = await paginate(
        session, select(User), first=3, after=BEFORE_ALL[descending], descending=descending
    )
    alone = await paginate(session, select(User), first=3, after=None, descending=descending)

    assert page.rows == alone.rows
    assert (page.has_next_page, page.has_previous_page) == (True, False)


@pytest.mark.parametrize("descending", [False, True])
async def test_after_a_position_past_every_row_the_empty_page_has_a_previous_one(
    session, descending
):
    page = await paginate(
        session, select(User), first=3, after=PAST_ALL[descending], descending=descending
    )

    assert page.rows == []
    assert (page.has_next_page, page.has_previous_page) == (False, True)


@pytest.mark.parametrize(
    ("descending", "after", "expected_rows", "expected_previous"),
    [
        # u2 (minute 1) sits in the middle both ways.
        (False, user_cursor(2, 1), ["u3", "u4"], True),
        (True, user_cursor(2, 1), ["u1", "u0"], True),
        # The cursor of the first row: that row lies before the page.
        (False, user_cursor(0, 0), ["u1", "u2"], True),
        (True, user_cursor(6, 5), ["u5", "u4"], True),
        # Between tied rows u1 and u2 (same minute, id in between).
        (False, position(1, "00000000-0000-0000-0000-000000000001x"), ["u2", "u3"], True),
    ],
    ids=["u2_ascending", "u2_descending", "first_row", "first_row_descending", "between_ties"],
)
async def test_after_a_cursor_in_the_middle_has_a_previous_page(
    session, descending, after, expected_rows, expected_previous
):
    page = await paginate(session, select(User), first=2, after=after, descending=descending)

    assert [user.email.split("@")[0] for _, user in page.rows] == expected_rows
    assert page.has_previous_page is expected_previous


@pytest.mark.parametrize(
    ("descending", "excluded", "after", "expected_rows", "expected_previous"),
    [
        # The cursor of the very first row, which the filter leaves out: nothing precedes it.
        (False, "u0", user_cursor(0, 0), ["u1", "u2", "u3", "u4", "u5", "u6"], False),
        (True, "u6", user_cursor(6, 5), ["u5", "u4", "u3", "u2", "u1", "u0"], False),
        # An excluded row in the middle: the rows before it still count.
        (False, "u3", user_cursor(3, 2), ["u4", "u5", "u6"], True),
        (True, "u3", user_cursor(3, 2), ["u2", "u1", "u0"], True),
    ],
    ids=["first_ascending", "first_descending", "middle_ascending", "middle_descending"],
)
async def test_after_the_cursor_of_a_row_the_filter_excludes(
    session, descending, excluded, after, expected_rows, expected_previous
):
    statement = select(User).where(User.email != f"{excluded}@example.com")
    page = await paginate(session, statement, first=10, after=after, descending=descending)

    assert [user.email.split("@")[0] for _, user in page.rows] == expected_rows
    assert page.has_previous_page is expected_previous


async def test_a_page_after_a_cursor_is_still_one_statement(session):
    engine = session.bind
    assert isinstance(engine, AsyncEngine)
    with count_statements(engine) as statements:
        page = await paginate(session, select(User), first=2, after=user_cursor(3, 2))

    assert len(selects(statements)) == 1, statements
    assert page.has_previous_page is True
