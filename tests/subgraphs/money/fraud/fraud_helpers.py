"""Helpers shared by fraud's service tests."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.kernel.context import Viewer
from subgraphs.kernel.db import Database

T = TypeVar("T")

ADMIN = Viewer(user_id=str(uuid.uuid4()), roles=frozenset({"admin"}), scopes=frozenset({"admin"}))


async def in_request(database: Database, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """`work` in one unit of work, like a mutation: committed, or rolled back on error."""
    async with database.sessions() as session:
        try:
            result = await work(session)
        except BaseException:
            await session.rollback()
            raise
        await session.commit()
        return result
