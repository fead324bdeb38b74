"""Keyset pagination newest first, `(<time column>, id)` descending.

The kernel's `paginate` only walks ascending; this mirrors it (same cursor format, `first` rules
and `Page`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, and_, or_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from subgraphs.kernel.errors import BadUserInput
from subgraphs.kernel.pagination import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    Page,
    decode_cursor,
    encode_cursor,
)

M = TypeVar("M")


def page_size(first: int | None) -> int:
    if first is None:
        return DEFAULT_PAGE_SIZE
    if not 1 <= first <= MAX_PAGE_SIZE:
        raise BadUserInput(f"`first` must be between 1 and {MAX_PAGE_SIZE}.", argument="first")
    return first


def _older_than(
    at_column: InstrumentedAttribute[Any], id_column: InstrumentedAttribute[Any], after: str
) -> ColumnElement[bool]:
    at, at_id = decode_cursor(after, width=2)
    return or_(at_column < at, and_(at_column == at, id_column < at_id))


def _page(found: Sequence[M], limit: int, after: str | None, at_key: str, id_key: str) -> Page[M]:
    rows = [
        (encode_cursor([getattr(row, at_key), getattr(row, id_key)]), row) for row in found[:limit]
    ]
    return Page(rows=rows, has_next_page=len(found) > limit, has_previous_page=after is not None)


async def paginate_newest_first(
    session: AsyncSession,
    statement: Select[Any],
    *,
    first: int | None,
    after: str | None,
    at_column: InstrumentedAttribute[Any],
    id_column: InstrumentedAttribute[Any],
) -> Page[Any]:
    """Rows of `statement` (an unordered `select(Model)`) by `(at_column, id_column)`
    descending; `after` continues below the cursor's row. `id_column` must be unique."""
    limit = page_size(first)
    if after is not None:
        statement = statement.where(_older_than(at_column, id_column, after))
    ordered = statement.order_by(at_column.desc(), id_column.desc()).limit(limit + 1)
    found = list(await session.scalars(ordered))
    return _page(found, limit, after, at_column.key, id_column.key)
