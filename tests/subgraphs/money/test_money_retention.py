"""Retention: idempotency keys go after their period, accepted and rejected webhooks after
theirs; younger rows stay. Rows are backdated; batches are small so pruning takes several."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from subgraphs.kernel.db import Database, open_database, utcnow
from subgraphs.kernel.testing import migrated_settings
from subgraphs.money.models import IdempotencyRecord
from subgraphs.money.payments.models import RejectedWebhook, WebhookEvent
from subgraphs.money.retention import Pruned, Retention, RetentionPolicy, RetentionSettings

NOW = utcnow()


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[Database]:
    settings = await migrated_settings("money", tmp_path)
    database = open_database(settings.database_url("money"))
    yield database
    await database.dispose()


def key(name: str, age: timedelta) -> IdempotencyRecord:
    return IdempotencyRecord(
        scope="user-1",
        key=name,
        operation="transfer",
        request_hash="0" * 64,
        result={"ok": True},
        created_at=NOW - age,
    )


def event(name: str, age: timedelta) -> WebhookEvent:
    return WebhookEvent(
        provider="sandbox",
        provider_event_id=name,
        type="charge.succeeded",
        outcome="applied",
        received_at=NOW - age,
    )


def rejected(age: timedelta) -> RejectedWebhook:
    return RejectedWebhook(
        provider="sandbox",
        reason="bad signature",
        body_sha256="0" * 64,
        body_length=2,
        received_at=NOW - age,
    )


async def test_old_idempotency_keys_and_webhooks_go_younger_ones_stay(database: Database):
    async with database.sessions() as session:
        session.add_all(
            [key(f"old-{i}", timedelta(days=31)) for i in range(5)]
            + [key("young", timedelta(days=29))]
            + [event(f"old-{i}", timedelta(days=91)) for i in range(3)]
            + [event("young", timedelta(days=89))]
            + [rejected(timedelta(days=91)) for _ in range(2)]
            + [rejected(timedelta(days=1))]
        )
        await session.commit()

    retention = Retention(database, RetentionPolicy(batch_size=2), clock=lambda: NOW)
    assert await retention.prune_once() == Pruned(
        idempotency_keys=5, webhook_events=3, rejected_webhooks=2
    )

    async with database.sessions() as session:
        assert list(await session.scalars(select(IdempotencyRecord.key))) == ["young"]
        assert list(await session.scalars(select(WebhookEvent.provider_event_id))) == ["young"]
        assert await session.scalar(select(func.count()).select_from(RejectedWebhook)) == 1
    assert not await retention.prune_once()


async def test_the_periods_come_from_the_environment(monkeypatch: pytest.MonkeyPatch):
    assert RetentionPolicy.from_settings(RetentionSettings()) == RetentionPolicy()
    monkeypatch.setenv("EHB_MONEY_RETENTION_IDEMPOTENCY_KEYS_DAYS", "2")
    monkeypatch.setenv("EHB_MONEY_RETENTION_WEBHOOKS_DAYS", "7")
    policy = RetentionPolicy.from_settings(RetentionSettings())
    assert (policy.idempotency_keys_days, policy.webhooks_days) == (2, 7)


async def test_the_running_task_prunes_periodically(database: Database):
    async with database.sessions() as session:
        session.add(key("old", timedelta(days=31)))
        await session.commit()
    task = asyncio.create_task(Retention(database, RetentionPolicy(interval_seconds=0.01)).run())
    try:
        async with asyncio.timeout(5):
            while True:
                async with database.sessions() as session:
                    if not await session.scalar(
                        select(func.count()).select_from(IdempotencyRecord)
                    ):
                        break
                await asyncio.sleep(0.01)
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
