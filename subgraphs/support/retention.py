"""Retention: support forgets what nobody needs any more, a bounded batch at a time.

`prune_once` deletes, each batch in its own short transaction:
- notifications older than the retention period (`EHB_NOTIFICATIONS_RETENTION_DAYS`, 90) that
  were read, or never reached the inbox, and have no delivery still PENDING or HELD, with their
  deliveries;
- deliveries in a final state (SENT, FAILED) last changed before that, whatever their
  notification (an unread notification stays in the inbox; its delivery record goes);
- handled-event ids older than `EHB_NOTIFICATIONS_HANDLED_EVENTS_RETENTION_DAYS` (30): the bus
  redelivers within seconds, not weeks.

`Retention.run` calls it every `EHB_NOTIFICATIONS_RETENTION_INTERVAL_SECONDS` (an hour) in the
support lifespan. Several instances may prune at once: each delete is idempotent.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select

from subgraphs.kernel.db import Database, utcnow
from subgraphs.support.models import Delivery, DeliveryStatus, HandledEvent, Notification

logger = logging.getLogger("subgraphs.support.retention")

FINAL = (DeliveryStatus.SENT, DeliveryStatus.FAILED)
OPEN = (DeliveryStatus.PENDING, DeliveryStatus.HELD)


@dataclass(frozen=True, slots=True)
class RetentionPolicy:
    notifications_days: float = 90.0
    handled_events_days: float = 30.0
    interval_seconds: float = 3600.0
    batch_size: int = 500


@dataclass(frozen=True, slots=True)
class Pruned:
    notifications: int = 0
    deliveries: int = 0
    handled_events: int = 0


class Retention:
    def __init__(
        self,
        database: Database,
        policy: RetentionPolicy,
        *,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._database = database
        self._policy = policy
        self._clock = clock

    async def run(self) -> None:
        """Prune, then wait `interval_seconds`, until cancelled; a failure is logged."""
        while True:
            try:
                pruned = await self.prune_once()
                if pruned != Pruned():
                    logger.info("retention pruned %s", pruned)
            except Exception:
                logger.exception("retention pass failed")
            await asyncio.sleep(self._policy.interval_seconds)

    async def prune_once(self) -> Pruned:
        """Everything past retention now, batch after batch; returns how many rows went."""
        now = self._clock()
        notifications_cutoff = now - timedelta(days=self._policy.notifications_days)
        events_cutoff = now - timedelta(days=self._policy.handled_events_days)
        notifications = deliveries = events = 0
        while True:
            gone, with_them = await self._notifications_batch(notifications_cutoff)
            notifications += gone
            deliveries += with_them
            if gone < self._policy.batch_size:
                break
        while (gone := await self._deliveries_batch(notifications_cutoff)) > 0:
            deliveries += gone
            if gone < self._policy.batch_size:
                break
        while (gone := await self._handled_events_batch(events_cutoff)) > 0:
            events += gone
            if gone < self._policy.batch_size:
                break
        return Pruned(notifications=notifications, deliveries=deliveries, handled_events=events)

    async def _notifications_batch(self, cutoff: datetime) -> tuple[int, int]:
        still_going = select(Delivery.notification_id).where(Delivery.status.in_(OPEN))
        async with self._database.sessions() as session:
            ids = list(
                await session.scalars(
                    select(Notification.id)
                    .where(
                        Notification.created_at < cutoff,
                        or_(Notification.read_at.is_not(None), Notification.in_app.is_(False)),
                        Notification.id.not_in(still_going),
                    )
                    .order_by(Notification.created_at, Notification.id)
                    .limit(self._policy.batch_size)
                )
            )
            if not ids:
                return 0, 0
            deliveries = await session.execute(
                delete(Delivery)
                .where(Delivery.notification_id.in_(ids))
                .execution_options(synchronize_session=False)
            )
            notifications = await session.execute(
                delete(Notification)
                .where(Notification.id.in_(ids))
                .execution_options(synchronize_session=False)
            )
            await session.commit()
        return _count(notifications), _count(deliveries)

    async def _deliveries_batch(self, cutoff: datetime) -> int:
        oldest = (
            select(Delivery.id)
            .where(Delivery.status.in_(FINAL), Delivery.updated_at < cutoff)
            .order_by(Delivery.updated_at, Delivery.id)
            .limit(self._policy.batch_size)
        )
        async with self._database.sessions() as session:
            ids = list(await session.scalars(oldest))
            if not ids:
                return 0
            result = await session.execute(
                delete(Delivery)
                .where(Delivery.id.in_(ids), Delivery.status.in_(FINAL))
                .execution_options(synchronize_session=False)
            )
            await session.commit()
        return _count(result)

    async def _handled_events_batch(self, cutoff: datetime) -> int:
        async with self._database.sessions() as session:
            ids = list(
                await session.scalars(
                    select(HandledEvent.event_id)
                    .where(HandledEvent.handled_at < cutoff)
                    .order_by(HandledEvent.handled_at, HandledEvent.event_id)
                    .limit(self._policy.batch_size)
                )
            )
            if not ids:
                return 0
            result = await session.execute(
                delete(HandledEvent)
                .where(HandledEvent.event_id.in_(ids))
                .execution_options(synchronize_session=False)
            )
            await session.commit()
        return _count(result)


def _count(result: object) -> int:
    return int(getattr(result, "rowcount", 0) or 0)
