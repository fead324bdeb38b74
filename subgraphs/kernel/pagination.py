"""Relay cursor connections: keyset `paginate` for services, `Connection[T]` for schemas.

Service:   page = await paginate(session, select(User), first=first, after=after)
           pages = await paginate_by_parent(session, Order, parent_column=Order.buyer_id,
                                            parent_ids=ids, first=first, after=after)
Resolver:  return Connection.from_page(page, UserType.from_model)

Both walk `(created_at, id)` (or `order_by=`) ascending, or newest first with `descending=True`.
`paginate_by_parent` serves DataLoaders (`subgraphs.kernel.loaders.loader_paged_by_key`):
N parents' pages cost one SELECT.

`has_previous_page` is exact (Relay's HasPreviousPage with `after`): true iff some row of the same
filtered, ordered list sorts at or before the `after` position, so a cursor that precedes every
row, or names a row another filter or list holds, answers false when nothing lies before it.
`paginate` folds an EXISTS probe into its page SELECT; `paginate_by_parent` ranks each parent's
rows on both sides of the cursor in its one window SELECT. Still one statement per call.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

import orjson
import strawberry
from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    case,
    func,
    literal,
    not_,
    or_,
    select,
    true,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute, aliased

from subgraphs.kernel.errors import BadUserInput

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100

M = TypeVar("M")
NodeT = TypeVar("NodeT")


@dataclass(frozen=True, slots=True)
class Page(Generic[M]):
    """One page of rows with their cursors, in order."""

    rows: list[tuple[str, M]]
    has_next_page: bool
    has_previous_page: bool


def _encode_value(value: Any) -> Any:
    return {"t": value.isoformat()} if isinstance(value, datetime) else value


def _decode_value(raw: Any) -> Any:
    if isinstance(raw, dict) and set(raw) == {"t"} and isinstance(raw["t"], str):
        parsed = datetime.fromisoformat(raw["t"])
        if parsed.tzinfo is None:
            raise ValueError("naive timestamp")
        return parsed
    if isinstance(raw, str | int) and not isinstance(raw, bool):
        return raw
    raise ValueError(f"unexpected cursor value {raw!r}")


def encode_cursor(values: Sequence[Any]) -> str:
    return base64.urlsafe_b64encode(orjson.dumps([_encode_value(v) for v in values])).decode()


def decode_cursor(cursor: str, *, width: int) -> list[Any]:
    """The order-by values inside `cursor`; BAD_USER_INPUT when it is not one of ours."""
    try:
        raw = orjson.loads(base64.urlsafe_b64decode(cursor.encode("ascii")))
        if not isinstance(raw, list) or len(raw) != width:
            raise ValueError("wrong shape")
        return [_decode_value(item) for item in raw]
    except (ValueError, UnicodeEncodeError, binascii.Error, orjson.JSONDecodeError) as exc:
        raise BadUserInput("Invalid pagination cursor.", argument="after") from exc


def page_size(first: int | None) -> int:
    """The page size `first` asks for (20 when omitted); BAD_USER_INPUT outside 1..100."""
    if first is None:
        return DEFAULT_PAGE_SIZE
    if not 1 <= first <= MAX_PAGE_SIZE:
        raise BadUserInput(f"`first` must be between 1 and {MAX_PAGE_SIZE}.", argument="first")
    return first


def _beyond(
    columns: Sequence[InstrumentedAttribute[Any]], values: list[Any], *, descending: bool
) -> ColumnElement[bool]:
    """Rows strictly after `values` in `columns` order (expanded row comparison)."""
    column, *rest = columns
    value, *rest_values = values
    past: ColumnElement[bool] = column < value if descending else column > value
    if not rest:
        return past
    return or_(past, and_(column == value, _beyond(rest, rest_values, descending=descending)))


def _order_columns(
    entity: Any, order_by: Sequence[InstrumentedAttribute[Any]] | None
) -> tuple[InstrumentedAttribute[Any], ...]:
    return tuple(order_by) if order_by else (entity.created_at, entity.id)


def _sort_keys(
    columns: Sequence[InstrumentedAttribute[Any] | ColumnElement[Any]], *, descending: bool
) -> list[ColumnElement[Any]]:
    return [column.desc() if descending else column.asc() for column in columns]


def _page(
    found: Sequence[M], keys: Sequence[str], limit: int, *, has_previous_page: bool
) -> Page[M]:
    rows = [(encode_cursor([getattr(row, key) for key in keys]), row) for row in found[:limit]]
    return Page(rows=rows, has_next_page=len(found) > limit, has_previous_page=has_previous_page)


async def paginate(
    session: AsyncSession,
    statement: Select[M],
    *,
    first: int | None,
    after: str | None,
    order_by: Sequence[InstrumentedAttribute[Any]] | None = None,
    descending: bool = False,
) -> Page[M]:
    """Keyset-paginate `statement` (a `select(Model)`, unordered) by `order_by`.

    `order_by` defaults to the entity's `(created_at, id)`; its last column must be unique.
    Ascending unless `descending` (newest first). `first` defaults to 20 and must be 1..100;
    a malformed `after` is BAD_USER_INPUT.
    """
    limit = page_size(first)
    columns = _order_columns(statement.column_descriptions[0]["entity"], order_by)
    keys = [column.key for column in columns]
    sort_keys = _sort_keys(columns, descending=descending)
    if after is None:
        found = list(await session.scalars(statement.order_by(*sort_keys).limit(limit + 1)))
        return _page(found, keys, limit, has_previous_page=False)
    cursor = decode_cursor(after, width=len(columns))
    beyond = _beyond(columns, cursor, descending=descending)
    # One statement: a one-row probe (does any row sit at or before the cursor?) left-joined to
    # the page, so the flag arrives even when the page is empty.
    probe = select(statement.where(not_(beyond)).exists().label("has_previous")).subquery("probe")
    page = statement.where(beyond).order_by(*sort_keys).limit(limit + 1).subquery("page")
    entity = aliased(statement.column_descriptions[0]["entity"], page)
    joined = (
        select(probe.c.has_previous, entity)
        .select_from(probe.outerjoin(page, true()))
        .order_by(*_sort_keys([page.c[key] for key in keys], descending=descending))
    )
    result = list(await session.execute(joined))
    found = [row for _, row in result if row is not None]
    return _page(found, keys, limit, has_previous_page=bool(result[0][0]))


async def paginate_by_parent(
    session: AsyncSession,
    model: type[M],
    *,
    parent_column: InstrumentedAttribute[Any],
    parent_ids: Sequence[str],
    first: int | None,
    after: str | None,
    order_by: Sequence[InstrumentedAttribute[Any]] | None = None,
    descending: bool = False,
    extra_filters: Sequence[ColumnElement[bool]] = (),
) -> dict[str, Page[M]]:
    """One page of `model` rows per parent id (rows whose `parent_column` is that id), all with
    the same `first`/`after`/`extra_filters`, in a single SELECT (a `row_number()` window per
    parent). Order, cursors and errors are those of `paginate`; every parent id gets a page.

    With `after`, the window ranks each parent's rows on both sides of the cursor (partitioned
    by parent and side): the page keeps the first `first + 1` rows past the cursor, and one row
    at or before it, if any, sets that parent's `has_previous_page`."""
    limit = page_size(first)
    columns = _order_columns(model, order_by)
    keys = [column.key for column in columns]
    sort_keys = _sort_keys(columns, descending=descending)
    partition: list[InstrumentedAttribute[Any] | ColumnElement[Any]] = [parent_column]
    side: ColumnElement[int] = literal(1)
    if after is not None:
        cursor = decode_cursor(after, width=len(columns))
        side = case((_beyond(columns, cursor, descending=descending), 1), else_=0)
        partition.append(side)
    position = func.row_number().over(partition_by=partition, order_by=sort_keys)
    inner = select(model, side.label("page_side"), position.label("page_position")).where(
        parent_column.in_(parent_ids), *extra_filters
    )
    ranked = inner.subquery()
    kept = or_(
        and_(ranked.c.page_side == 1, ranked.c.page_position <= limit + 1),
        and_(ranked.c.page_side == 0, ranked.c.page_position == 1),
    )
    statement = (
        select(aliased(model, ranked), ranked.c.page_side)
        .where(kept)
        .order_by(ranked.c[parent_column.key], ranked.c.page_side, ranked.c.page_position)
    )
    grouped: dict[str, list[M]] = {parent_id: [] for parent_id in parent_ids}
    has_previous: set[str] = set()
    for row, page_side in await session.execute(statement):
        parent_id = getattr(row, parent_column.key)
        if page_side == 1:
            grouped[parent_id].append(row)
        else:
            has_previous.add(parent_id)
    return {
        parent_id: _page(rows, keys, limit, has_previous_page=parent_id in has_previous)
        for parent_id, rows in grouped.items()
    }


@strawberry.federation.type(shareable=True, description="Relay page information.")
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type
class Edge(Generic[NodeT]):
    cursor: str
    node: NodeT


@strawberry.type
class Connection(Generic[NodeT]):
    edges: list[Edge[NodeT]]
    page_info: PageInfo

    @classmethod
    def from_page(cls, page: Page[M], node: Callable[[M], NodeT]) -> Connection[NodeT]:
        edges = [Edge(cursor=cursor, node=node(row)) for cursor, row in page.rows]
        return cls(
            edges=edges,
            page_info=PageInfo(
                has_next_page=page.has_next_page,
                has_previous_page=page.has_previous_page,
                start_cursor=edges[0].cursor if edges else None,
                end_cursor=edges[-1].cursor if edges else None,
            ),
        )
