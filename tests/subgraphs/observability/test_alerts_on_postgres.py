"""Alert rules and deduplication on PostgreSQL (the unique open key, the sliding window)."""

from __future__ import annotations

import uuid

import pytest

from subgraphs.kernel.db import open_database
from subgraphs.kernel.migrations import migrate_to_head_async
from subgraphs.observability.alerts import acknowledge_alert, raise_alert, resolve_alert
from subgraphs.observability.models import AlertSeverity, AlertStatus
from subgraphs.observability.rules import Thresholds, evaluate_event, threshold_rules

pytestmark = pytest.mark.postgres


async def test_rules_and_dedup_on_postgres(create_postgres_database):
    url = await create_postgres_database()
    await migrate_to_head_async("observability", url)
    database = open_database(url)
    rules = threshold_rules(Thresholds(failed_logins=2))
    try:
        async with database.sessions() as session:
            first = await raise_alert(
                session, dedup_key="k", source="s", severity=AlertSeverity.INFO, title="t"
            )
            again = await raise_alert(
                session, dedup_key="k", source="s", severity=AlertSeverity.CRITICAL, title="t2"
            )
            await session.commit()
            assert again.id == first.id and again.count == 2
            assert again.severity is AlertSeverity.CRITICAL

            acked = await acknowledge_alert(session, alert_id=first.id, actor_id="op")
            assert acked.status is AlertStatus.ACKNOWLEDGED
            await resolve_alert(session, alert_id=first.id, actor_id="op")
            fresh = await raise_alert(
                session, dedup_key="k", source="s", severity=AlertSeverity.INFO, title="t"
            )
            await session.commit()
            assert fresh.id != first.id and fresh.count == 1

            event = {"id": uuid.uuid4().hex, "type": "identity.login.failed"}
            assert await evaluate_event(session, rules, event) == []
            assert await evaluate_event(session, rules, event) == []  # counted once
            [raised] = await evaluate_event(
                session, rules, {"id": uuid.uuid4().hex, "type": "identity.login.failed"}
            )
            await session.commit()
            assert raised.dedup_key == "rule:failed-logins" and raised.count == 1
    finally:
        await database.dispose()
