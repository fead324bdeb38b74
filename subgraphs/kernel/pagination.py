"""Relay cursor connections: keyset `paginate` for services, `Connection[T]` for schemas.

Service:   page = await paginate(session, select(User), first=first, after=after)
Resolver:  return Connection.from_page(page, UserType.from_model)
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
from sqlalchemy import ColumnElement, Select, and_, or_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

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


def _check_first(first: int | None) -> int:
    if first is None:
        return DEFAULT_PAGE_SIZE
    if not 1 <= first <= MAX_PAGE_SIZE:
        raise BadUserInput(f"`first` must be between 1 and {MAX_PAGE_SIZE}.", argument="first")
    return first


def _after(columns: Sequence[InstrumentedAttribute[Any]], values: list[Any]) -> ColumnElement[bool]:
    """Rows strictly after `values` in ascending `columns` order (expanded row comparison)."""
    column, *rest = columns
    value, *rest_values = values
    if not rest:
        later: ColumnElement[bool] = column > value
        return later
    return or_(column > value, and_(column == value, _after(rest, rest_values)))


def _default_order(statement: Select[Any]) -> tuple[InstrumentedAttribute[Any], ...]:
    entity = statement.column_descriptions[0]["entity"]
    return (entity.created_at, entity.id)


async def paginate(
    session: AsyncSession,
    statement: Select[M],
    *,
    first: int | None,
    after: str | None,
    order_by: Sequence[InstrumentedAttribute[Any]] | None = None,
) -> Page[M]:
    """Keyset-paginate `statement` (a `select(Model)`, unordered) in ascending `order_by`.

    `order_by` defaults to the entity's `(created_at, id)`; its last column must be unique.
    `first` defaults to 20 and must be 1..100; a malformed `after` is BAD_USER_INPUT.
    """
    limit = _check_first(first)
    columns = tuple(order_by) if order_by else _default_order(statement)
    if after is not None:
        statement = statement.where(_after(columns, decode_cursor(after, width=len(columns))))
    result = await session.scalars(statement.order_by(*columns).limit(limit + 1))
    found = list(result)
    keys = [column.key for column in columns]
    rows = [(encode_cursor([getattr(row, key) for key in keys]), row) for row in found[:limit]]
    return Page(rows=rows, has_next_page=len(found) > limit, has_previous_page=after is not None)


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
