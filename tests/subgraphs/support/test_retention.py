"""Retention: old read (or never-listed) notifications go with their deliveries, final delivery
records go after the same period, handled-event ids after a shorter one; everything still in
use stays. Rows are backdated; batches are small so pruning takes several."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from subgraphs.kernel.db import Database, open_database, utcnow
from subgraphs.kernel.migrations import migrate_to_head_async
from subgraphs.kernel.testing import migrated_settings
from subgraphs.support.models import (
    Delivery,
    DeliveryStatus,
    HandledEvent,
    Notification,
    NotificationCategory,
    NotificationChannel,
)
from subgraphs.support.retention import Pruned, Retention, RetentionPolicy
from subgraphs.support.settings import NotificationDeliverySettings

NOW = utcnow()
OLD = NOW - timedelta(days=91)
RECENT = NOW - timedelta(days=89)


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[Database]:
    database = open_database((await migrated_settings("support", tmp_path)).database_url("support"))
    yield database
    await database.dispose()


@pytest.fixture
async def postgres_database(create_postgres_database) -> AsyncIterator[Database]:
    url = await create_postgres_database()
    await migrate_to_head_async("support", url)
    database = open_database(url)
    yield database
    await database.dispose()


async def add_notification(
    database: Database,
    *,
    created: datetime,
    read: bool,
    in_app: bool = True,
    deliveries: tuple[tuple[DeliveryStatus, datetime], ...] = (),
) -> tuple[str, list[str]]:
    async with database.sessions() as session:
        notification = Notification(
            user_id=str(uuid.uuid4()),
            category=NotificationCategory.ORDERS,
            title="Shipped",
            body="Your order left.",
            in_app=in_app,
            created_at=created,
            read_at=created + timedelta(hours=1) if read else None,
        )
        session.add(notification)
        await session.flush()
        rows = [
            Delivery(
                notification_id=notification.id,
                channel=NotificationChannel.EMAIL,
                target="me@example.com",
                status=status,
                next_attempt_at=changed
                if status in (DeliveryStatus.PENDING, DeliveryStatus.HELD)
                else None,
                created_at=created,
                updated_at=changed,
            )
            for status, changed in deliveries
        ]
        session.add_all(rows)
        await session.commit()
        return notification.id, [row.id for row in rows]


async def present(database: Database, model: type, ids: list[str]) -> set[str]:
    async with database.sessions() as session:
        return {id_ for id_ in ids if await session.get(model, id_) is not None}


async def test_old_read_notifications_and_final_deliveries_go_the_rest_stays(database: Database):
    await old_read_notifications_and_final_deliveries_go_the_rest_stays(database)


@pytest.mark.postgres
async def test_the_same_on_postgres(postgres_database: Database):
    await old_read_notifications_and_final_deliveries_go_the_rest_stays(postgres_database)


async def old_read_notifications_and_final_deliveries_go_the_rest_stays(database: Database):
    sent, failed, pending = DeliveryStatus.SENT, DeliveryStatus.FAILED, DeliveryStatus.PENDING
    old_read = [
        await add_notification(database, created=OLD, read=True, deliveries=((sent, OLD),))
        for _ in range(5)
    ]
    never_listed = await add_notification(
        database, created=OLD, read=False, in_app=False, deliveries=((failed, OLD),)
    )
    read_but_pending = await add_notification(
        database, created=OLD, read=True, deliveries=((pending, NOW),)
    )
    unread_old = await add_notification(
        database, created=OLD, read=False, deliveries=((failed, OLD), (sent, RECENT))
    )
    read_recent = await add_notification(
        database, created=RECENT, read=True, deliveries=((sent, RECENT),)
    )

    retention = Retention(database, RetentionPolicy(batch_size=2), clock=lambda: NOW)
    pruned = await retention.prune_once()

    assert pruned == Pruned(notifications=6, deliveries=7, handled_events=0)
    gone_ids = [n for n, _ in [*old_read, never_listed]]
    assert await present(database, Notification, gone_ids) == set()
    kept = [read_but_pending[0], unread_old[0], read_recent[0]]
    assert await present(database, Notification, kept) == set(kept)
    every_delivery = [d for _, ds in [*old_read, never_listed] for d in ds]
    assert await present(database, Delivery, every_delivery) == set()
    assert await present(database, Delivery, read_but_pending[1]) == set(read_but_pending[1])
    assert await present(database, Delivery, unread_old[1]) == {unread_old[1][1]}
    assert await present(database, Delivery, read_recent[1]) == set(read_recent[1])

    assert await retention.prune_once() == Pruned()


async def test_handled_event_ids_go_after_their_own_shorter_period(database: Database):
    async with database.sessions() as session:
        session.add_all(
            [
                HandledEvent(event_id=f"old-{i}", type="x.y.z", handled_at=NOW - timedelta(days=31))
                for i in range(5)
            ]
            + [HandledEvent(event_id="young", type="x.y.z", handled_at=NOW - timedelta(days=29))]
        )
        await session.commit()
    retention = Retention(database, RetentionPolicy(batch_size=2), clock=lambda: NOW)
    assert await retention.prune_once() == Pruned(handled_events=5)
    async with database.sessions() as session:
        assert list(await session.scalars(select(HandledEvent.event_id))) == ["young"]


async def test_the_periods_come_from_the_environment(monkeypatch: pytest.MonkeyPatch):
    assert NotificationDeliverySettings().retention() == RetentionPolicy()
    monkeypatch.setenv("EHB_NOTIFICATIONS_RETENTION_DAYS", "7")
    monkeypatch.setenv("EHB_NOTIFICATIONS_HANDLED_EVENTS_RETENTION_DAYS", "2")
    policy = NotificationDeliverySettings().retention()
    assert (policy.notifications_days, policy.handled_events_days) == (7, 2)


async def test_the_running_task_prunes_periodically(database: Database):
    await add_notification(
        database, created=OLD, read=True, deliveries=((DeliveryStatus.SENT, OLD),)
    )
    retention = Retention(database, RetentionPolicy(interval_seconds=0.01))
    task = asyncio.create_task(retention.run())
    try:
        async with asyncio.timeout(5):
            while True:
                async with database.sessions() as session:
                    if not await session.scalar(select(func.count()).select_from(Notification)):
                        break
                await asyncio.sleep(0.01)
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
