"""A task cancelled while its statement runs on PostgreSQL ends cancelled: SQLAlchemy counts the
interrupted statement as a disconnect, but it must not become DATABASE_UNAVAILABLE (an
ordinary exception), or background loops that log and go on (retention, the outbox relay)
would swallow the cancellation and never stop."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text

from subgraphs.kernel.db import open_database
from tests.conftest import CreatePostgresDatabase

pytestmark = pytest.mark.postgres


async def test_a_statement_cancelled_mid_flight_raises_cancelled_error(
    create_postgres_database: CreatePostgresDatabase,
) -> None:
    database = open_database(await create_postgres_database())
    started = asyncio.Event()

    async def sleep_in_the_database() -> None:
        async with database.sessions() as session:
            started.set()
            await session.execute(text("SELECT pg_sleep(30)"))

    task = asyncio.create_task(sleep_in_the_database())
    await started.wait()
    await asyncio.sleep(0.3)  # the statement is running
    task.cancel()
    try:
        with pytest.raises(asyncio.CancelledError):
            async with asyncio.timeout(10):
                await task
        async with database.sessions() as session:  # and the pool still serves
            assert await session.scalar(text("SELECT 1")) == 1
    finally:
        await database.dispose()
