"""Retention: service-check history and resolved alerts go after their periods, rule hits once
no rule window can count them; open and acknowledged alerts stay whatever their age. Rows are
backdated; batches are small so pruning takes several."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from subgraphs.kernel.db import Database, open_database, utcnow
from subgraphs.kernel.testing import migrated_settings
from subgraphs.observability.models import (
    Alert,
    AlertSeverity,
    AlertStatus,
    RuleHit,
    ServiceCheck,
    ServiceHealth,
)
from subgraphs.observability.retention import Pruned, Retention, RetentionPolicy
from subgraphs.observability.settings import RetentionSettings

NOW = utcnow()


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[Database]:
    settings = await migrated_settings("observability", tmp_path)
    database = open_database(settings.database_url("observability"))
    yield database
    await database.dispose()


def check(name: str, age: timedelta) -> ServiceCheck:
    return ServiceCheck(
        name=name, url=f"http://{name}/health", health=ServiceHealth.UP, checked_at=NOW - age
    )


def alert(key: str, status: AlertStatus, age: timedelta) -> Alert:
    at = NOW - age
    return Alert(
        dedup_key=key,
        open_key=None if status is AlertStatus.RESOLVED else key,
        source="test",
        severity=AlertSeverity.WARNING,
        status=status,
        title=key,
        first_seen_at=at,
        last_seen_at=at,
        resolved_at=at if status is AlertStatus.RESOLVED else None,
    )


async def names(database: Database, column) -> list[str]:
    async with database.sessions() as session:
        return sorted(await session.scalars(select(column)))


async def test_old_checks_resolved_alerts_and_stale_rule_hits_go(database: Database):
    async with database.sessions() as session:
        session.add_all(
            [check(f"old-{i}", timedelta(days=31)) for i in range(5)]
            + [check("recent", timedelta(days=29))]
            + [
                alert(f"resolved-old-{i}", AlertStatus.RESOLVED, timedelta(days=91))
                for i in range(3)
            ]
            + [
                alert("resolved-recent", AlertStatus.RESOLVED, timedelta(days=89)),
                alert("open-old", AlertStatus.OPEN, timedelta(days=400)),
                alert("acknowledged-old", AlertStatus.ACKNOWLEDGED, timedelta(days=400)),
            ]
            + [
                RuleHit(rule="r", event_id=f"stale-{i}", occurred_at=NOW - timedelta(hours=2))
                for i in range(3)
            ]
            + [RuleHit(rule="r", event_id="counting", occurred_at=NOW - timedelta(minutes=30))]
        )
        await session.commit()

    retention = Retention(database, RetentionPolicy(batch_size=2), clock=lambda: NOW)
    assert await retention.prune_once() == Pruned(service_checks=5, resolved_alerts=3, rule_hits=3)

    assert await names(database, ServiceCheck.name) == ["recent"]
    assert await names(database, Alert.dedup_key) == [
        "acknowledged-old",
        "open-old",
        "resolved-recent",
    ]
    assert await names(database, RuleHit.event_id) == ["counting"]
    assert not await retention.prune_once()


async def test_rule_hits_are_kept_for_the_longest_rule_window(database: Database):
    async with database.sessions() as session:
        session.add(RuleHit(rule="r", event_id="two-hours", occurred_at=NOW - timedelta(hours=2)))
        await session.commit()
    policy = RetentionPolicy(rule_hits_seconds=3 * 3600)
    assert not await Retention(database, policy, clock=lambda: NOW).prune_once()


async def test_the_periods_come_from_the_environment(monkeypatch: pytest.MonkeyPatch):
    assert RetentionSettings().checks_days == RetentionPolicy().checks_days
    monkeypatch.setenv("EHB_OBSERVABILITY_RETENTION_CHECKS_DAYS", "7")
    monkeypatch.setenv("EHB_OBSERVABILITY_RETENTION_RESOLVED_ALERTS_DAYS", "14")
    settings = RetentionSettings()
    assert (settings.checks_days, settings.resolved_alerts_days) == (7, 14)


async def test_the_running_task_prunes_periodically(database: Database):
    async with database.sessions() as session:
        session.add(check("old", timedelta(days=31)))
        await session.commit()
    task = asyncio.create_task(Retention(database, RetentionPolicy(interval_seconds=0.01)).run())
    try:
        async with asyncio.timeout(5):
            while True:
                async with database.sessions() as session:
                    if not await session.scalar(select(func.count()).select_from(ServiceCheck)):
                        break
                await asyncio.sleep(0.01)
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
