"""Statements that differ between PostgreSQL and SQLite (the two backends money runs on)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, cast

from sqlalchemy import CursorResult, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession


def dialect_name(session: AsyncSession) -> str:
    return session.get_bind().dialect.name


async def insert_unless_present(
    session: AsyncSession,
    table: Table,
    values: Mapping[str, Any],
    *,
    unique_columns: Sequence[str],
) -> bool:
    """INSERT `values` unless a row with the same `unique_columns` exists; whether it inserted.

    On PostgreSQL a concurrent insert of the same key makes this wait for that transaction:
    when it commits, nothing is inserted (and a following SELECT sees its row), so concurrent
    duplicates resolve to one row without aborting the caller's transaction."""
    if dialect_name(session) == "postgresql":
        statement: Any = postgresql.insert(table).values(**values)
    else:
        statement = sqlite.insert(table).values(**values)
    statement = statement.on_conflict_do_nothing(index_elements=list(unique_columns))
    result = await session.execute(statement)
    return bool(cast(CursorResult[Any], result).rowcount)
