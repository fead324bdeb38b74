"""The outbox relay: publishes a subgraph's unpublished outbox rows to `domain-events`.

One task per app (started in the kernel lifespan unless `EHB_OUTBOX_RELAY=0`):
- wakes at once after a commit in this process recorded an event (`outbox.record_event`), and
  otherwise every `EHB_OUTBOX_POLL_SECONDS` (rows written by other instances or processes, and
  rows left over by a crash: the table is the relay's only state, so it resumes after restarts);
- takes up to `EHB_OUTBOX_BATCH_SIZE` rows in `position` order inside one database transaction,
  publishes each envelope, marks them published and commits. A failure (broadcaster down,
  database gone) rolls the batch back; it is retried with exponential backoff (up to
  `EHB_OUTBOX_MAX_BACKOFF_SECONDS`). Delivery is therefore at least once: an event may be
  published again when the commit after its publish fails. Consumers dedupe by `id`.
- On PostgreSQL, several instances of one subgraph may run relays: a batch is taken under a
  transaction-scoped advisory lock per outbox table (`pg_try_advisory_xact_lock`), so one relay
  at a time publishes and order is kept; the others find the lock taken and wait for their next
  turn. (`FOR UPDATE SKIP LOCKED` alone would let two relays publish neighbouring batches
  concurrently, out of order.) The rows are also locked `FOR UPDATE`. SQLite is for one process.
- Published rows are kept `EHB_OUTBOX_RETENTION_SECONDS` (default 7 days, for inspection and
  replay) and then pruned by the relay, a bounded batch at a time, at most once a minute.
"""

from __future__ import annotations

import asyncio
import logging
import zlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from datetime import timedelta
from typing import Any

from sqlalchemy import Table, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from subgraphs.kernel.bus import DOMAIN_EVENTS, EventBus
from subgraphs.kernel.db import create_engine, utcnow
from subgraphs.kernel.outbox import (
    add_relay_wakeup,
    discard_relay_wakeup,
    outbox_model_for,
)
from subgraphs.kernel.settings import Settings

__all__ = ["OutboxRelay", "envelope", "running_relay"]

logger = logging.getLogger("subgraphs.kernel.relay")

PRUNE_INTERVAL_SECONDS = 60.0
PRUNE_BATCH = 1000
FIRST_BACKOFF_SECONDS = 0.05


def envelope(source: str, row: Any) -> dict[str, Any]:
    """The `domain-events` message for an outbox row (docs/events.md)."""
    return {
        "id": row.id,
        "type": row.type,
        "source": source,
        "occurredAt": row.occurred_at.isoformat().replace("+00:00", "Z"),
        "userId": row.user_id,
        "payload": row.payload,
    }


class OutboxRelay:
    """Relays subgraph `name`'s outbox to `bus`."""

    def __init__(self, name: str, engine: AsyncEngine, bus: EventBus, settings: Settings) -> None:
        self.name = name
        self._engine = engine
        self._bus = bus
        self._settings = settings
        self._table: Table = outbox_model_for(name).__table__  # type: ignore[attr-defined]
        self.lock_key = zlib.crc32(self._table.name.encode())
        self._wakeup = asyncio.Event()
        self._last_prune: float | None = None

    def wake(self) -> None:
        self._wakeup.set()

    async def relay_batch(self) -> int:
        """Publish one batch of unpublished rows; returns how many were published."""
        table = self._table
        async with self._engine.begin() as connection:
            if not await self._take_turn(connection):
                return 0
            query = (
                select(table)
                .where(table.c.published_at.is_(None))
                .order_by(table.c.position)
                .limit(self._settings.outbox_batch_size)
            )
            if connection.dialect.name == "postgresql":
                query = query.with_for_update()
            rows = (await connection.execute(query)).all()
            for row in rows:
                await self._bus.publish(DOMAIN_EVENTS, envelope(self.name, row))
            if rows:
                await connection.execute(
                    update(table)
                    .where(table.c.position.in_([row.position for row in rows]))
                    .values(published_at=utcnow())
                )
        return len(rows)

    async def _take_turn(self, connection: AsyncConnection) -> bool:
        if connection.dialect.name != "postgresql":
            return True
        taken = await connection.scalar(select(func.pg_try_advisory_xact_lock(self.lock_key)))
        return bool(taken)

    async def prune(self) -> int:
        """Delete a batch of rows published longer ago than the retention period."""
        table = self._table
        cutoff = utcnow() - timedelta(seconds=self._settings.outbox_retention_seconds)
        oldest = (
            select(table.c.position)
            .where(table.c.published_at.is_not(None), table.c.published_at < cutoff)
            .order_by(table.c.position)
            .limit(PRUNE_BATCH)
        )
        async with self._engine.begin() as connection:
            result = await connection.execute(delete(table).where(table.c.position.in_(oldest)))
        return int(getattr(result, "rowcount", 0) or 0)

    async def run(self) -> None:
        """Relay until cancelled."""
        backoff = FIRST_BACKOFF_SECONDS
        loop = asyncio.get_running_loop()
        while True:
            stop_if_cancelled()
            self._wakeup.clear()
            try:
                published = await self.relay_batch()
                if (
                    self._last_prune is None
                    or loop.time() - self._last_prune > PRUNE_INTERVAL_SECONDS
                ):
                    self._last_prune = loop.time()
                    await self.prune()
            except Exception:
                logger.warning(
                    "%s outbox relay failed; retrying in %.2fs", self.name, backoff, exc_info=True
                )
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, self._settings.outbox_max_backoff_seconds)
                continue
            backoff = FIRST_BACKOFF_SECONDS
            if published == self._settings.outbox_batch_size:
                continue  # more may be waiting
            # asyncio.timeout, not wait_for: Python 3.11's wait_for can leave the task stuck
            # "cancelling" when its timeout and a cancel meet, and shutdown waits on it forever.
            with suppress(TimeoutError):
                async with asyncio.timeout(self._settings.outbox_poll_seconds):
                    await self._wakeup.wait()


def stop_if_cancelled() -> None:
    """Stop when a cancel was swallowed on the way (Python 3.11's wait_for, used inside database
    drivers, can turn one into a timeout, which the loop would retry): shutdown waits for it."""
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError


@asynccontextmanager
async def running_relay(name: str, bus: EventBus, settings: Settings) -> AsyncIterator[OutboxRelay]:
    """Subgraph `name`'s relay task for the duration of the block, on an engine of its own (one
    connection: the relay never competes with requests for the pool, nor they with it)."""
    own = settings.model_copy(update={"db_pool_size": 1, "db_max_overflow": 1})
    engine = create_engine(settings.database_url(name), own)
    relay = OutboxRelay(name, engine, bus, settings)
    add_relay_wakeup(name, relay.wake)
    task = asyncio.create_task(relay.run(), name=f"{name}-outbox-relay")
    try:
        yield relay
    finally:
        discard_relay_wakeup(name, relay.wake)
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task
        await engine.dispose()
