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

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select

from subgraphs.kernel.retention import (
    PeriodicRetention,
    delete_all,
    deleted_count,
)
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

    def __bool__(self) -> bool:
        return any((self.notifications, self.deliveries, self.handled_events))


class Retention(PeriodicRetention[RetentionPolicy]):
    logger = logger

    async def prune_once(self) -> Pruned:
        """Everything past retention now, batch after batch; returns how many rows went."""
        now = self._clock()
        notifications_cutoff = now - timedelta(days=self._policy.notifications_days)
        events_cutoff = now - timedelta(days=self._policy.handled_events_days)
        size = self._policy.batch_size
        notifications = deliveries = 0
        while True:
            gone, with_them = await self._notifications_batch(notifications_cutoff)
            notifications += gone
            deliveries += with_them
            if gone < size:
                break
        deliveries += await delete_all(
            self._database,
            Delivery.id,
            Delivery.status.in_(FINAL),
            Delivery.updated_at < notifications_cutoff,
            oldest_first=Delivery.updated_at,
            batch_size=size,
        )
        events = await delete_all(
            self._database,
            HandledEvent.event_id,
            HandledEvent.handled_at < events_cutoff,
            oldest_first=HandledEvent.handled_at,
            batch_size=size,
        )
        return Pruned(notifications=notifications, deliveries=deliveries, handled_events=events)

    async def _notifications_batch(self, cutoff: datetime) -> tuple[int, int]:
        """Up to a batch of notifications with their deliveries (two tables, one transaction)."""
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
        return deleted_count(notifications), deleted_count(deliveries)
