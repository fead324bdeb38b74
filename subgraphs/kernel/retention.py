"""Retention plumbing: delete what nobody needs any more, a bounded batch per short transaction,
and run a subgraph's pruning pass periodically in its lifespan.

Subgraphs say *what* goes (support/retention.py, observability/retention.py); this module is
*how*: batches keep each transaction (and its locks) short, so pruning a large backlog never
blocks requests, and several instances pruning at once only repeat idempotent deletes.
"""

from __future__ import annotations

import asyncio
import logging
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, ClassVar, Generic, Protocol, TypeVar

from sqlalchemy import ColumnElement, delete, select
from sqlalchemy.orm import InstrumentedAttribute

from subgraphs.kernel.db import Database, utcnow


async def delete_batch(
    database: Database,
    key: InstrumentedAttribute[Any],
    *conditions: ColumnElement[bool],
    oldest_first: InstrumentedAttribute[Any],
    batch_size: int,
) -> int:
    """Delete up to `batch_size` rows matching `conditions`, oldest (by `oldest_first`) first, in
    one transaction; the conditions are checked again by the DELETE, so a row changed meanwhile
    (by a request or another instance) is kept. Returns how many rows went."""
    async with database.sessions() as session:
        keys = list(
            await session.scalars(
                select(key).where(*conditions).order_by(oldest_first, key).limit(batch_size)
            )
        )
        if not keys:
            return 0
        result = await session.execute(
            delete(key.class_)
            .where(key.in_(keys), *conditions)
            .execution_options(synchronize_session=False)
        )
        await session.commit()
    return deleted_count(result)


async def delete_all_batches(batch: Callable[[], Awaitable[int]], batch_size: int) -> int:
    """Run `batch` until it deletes fewer than a full batch; returns the total deleted."""
    total = 0
    while True:
        gone = await batch()
        total += gone
        if gone < batch_size:
            return total


async def delete_all(
    database: Database,
    key: InstrumentedAttribute[Any],
    *conditions: ColumnElement[bool],
    oldest_first: InstrumentedAttribute[Any],
    batch_size: int,
) -> int:
    """Every row matching `conditions`, a `delete_batch` at a time; returns the total deleted."""
    return await delete_all_batches(
        lambda: delete_batch(
            database, key, *conditions, oldest_first=oldest_first, batch_size=batch_size
        ),
        batch_size,
    )


def deleted_count(result: object) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


async def run_periodically(
    prune: Callable[[], Awaitable[object]],
    *,
    interval_seconds: float,
    logger: logging.Logger,
) -> None:
    """`prune()`, then wait `interval_seconds`, until cancelled. A failed pass is logged and the
    next one runs on time; a pass that removed something logs what it returns."""
    while True:
        try:
            pruned = await prune()
            if pruned:
                logger.info("retention pruned %s", pruned)
        except Exception:
            logger.exception("retention pass failed")
        await asyncio.sleep(interval_seconds)


class PrunePolicy(Protocol):
    @property
    def interval_seconds(self) -> float: ...


PolicyT = TypeVar("PolicyT", bound=PrunePolicy)


class PeriodicRetention(ABC, Generic[PolicyT]):
    """A subgraph's retention: `prune_once` deletes what is past its policy (with `delete_batch`)
    and says how much went; `run` calls it every `policy.interval_seconds` in the lifespan."""

    logger: ClassVar[logging.Logger]

    def __init__(
        self, database: Database, policy: PolicyT, *, clock: Callable[[], datetime] = utcnow
    ) -> None:
        self._database = database
        self._policy = policy
        self._clock = clock

    async def run(self) -> None:
        """Prune, then wait `interval_seconds`, until cancelled; a failure is logged."""
        await run_periodically(
            self.prune_once, interval_seconds=self._policy.interval_seconds, logger=self.logger
        )

    @abstractmethod
    async def prune_once(self) -> object:
        """Everything past retention now, batch after batch; returns how many rows went
        (falsy when nothing did)."""
