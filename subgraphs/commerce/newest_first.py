"""Keyset pagination newest first, `(created_at, id)` descending.

The kernel's `paginate` only walks ascending; this mirrors it (same cursor format, `first`
rules and `Page`) for the lists that show the latest rows first.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol, TypeVar

from sqlalchemy import Select, and_, or_
from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.kernel.errors import BadUserInput
from subgraphs.kernel.pagination import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    Page,
    decode_cursor,
    encode_cursor,
)


class _Timestamped(Protocol):
    created_at: datetime
    id: str


M = TypeVar("M", bound=_Timestamped)


def _page_size(first: int | None) -> int:
    if first is None:
        return DEFAULT_PAGE_SIZE
    if not 1 <= first <= MAX_PAGE_SIZE:
        raise BadUserInput(f"`first` must be between 1 and {MAX_PAGE_SIZE}.", argument="first")
    return first


async def paginate_newest_first(
    session: AsyncSession, statement: Select[M], *, first: int | None, after: str | None
) -> Page[M]:
    """Rows of `statement` (a `select(Model)` whose model has `created_at` and `id`), newest
    first; `after` continues below the cursor's row."""
    limit = _page_size(first)
    entity = statement.column_descriptions[0]["entity"]
    created_at, row_id = entity.created_at, entity.id
    if after is not None:
        at, at_id = decode_cursor(after, width=2)
        statement = statement.where(or_(created_at < at, and_(created_at == at, row_id < at_id)))
    found: list[M] = list(
        await session.scalars(statement.order_by(created_at.desc(), row_id.desc()).limit(limit + 1))
    )
    rows = [(encode_cursor([row.created_at, row.id]), row) for row in found[:limit]]
    return Page(rows=rows, has_next_page=len(found) > limit, has_previous_page=after is not None)
