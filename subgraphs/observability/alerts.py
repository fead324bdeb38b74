"""Alerts: raise (deduplicated), acknowledge, resolve, list. Functions take the session and never
commit.

`raise_alert` with a `dedup_key` that already has an unresolved alert updates that one (count
+1, `last_seen_at`, the higher severity, the newest description) instead of adding another, so
a flapping service or a brute-force run makes one alert that keeps counting. An acknowledged
alert stays acknowledged while it repeats; once resolved, the next repeat opens a new alert.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.kernel.db import utcnow
from subgraphs.kernel.errors import Conflict, NotFound
from subgraphs.kernel.events import record_event
from subgraphs.kernel.pagination import Page, paginate
from subgraphs.observability.models import Alert, AlertSeverity, AlertStatus

MAX_TITLE = 200
MAX_DESCRIPTION = 2000


class AlertNotFound(NotFound):
    def __init__(self, alert_id: str) -> None:
        super().__init__(f"There is no alert {alert_id}.", field="id")


class AlertAlreadyResolved(Conflict):
    def __init__(self, alert_id: str) -> None:
        super().__init__(f"Alert {alert_id} is already resolved.", field="id")


async def open_alert(session: AsyncSession, *, dedup_key: str) -> Alert | None:
    found: Alert | None = await session.scalar(select(Alert).where(Alert.open_key == dedup_key))
    return found


async def open_alerts(session: AsyncSession, *, dedup_keys: Collection[str]) -> dict[str, Alert]:
    """The unresolved alerts with any of `dedup_keys`, by key, in one SELECT."""
    if not dedup_keys:
        return {}
    found = await session.scalars(select(Alert).where(Alert.open_key.in_(list(dedup_keys))))
    return {alert.dedup_key: alert for alert in found}


async def raise_alert(
    session: AsyncSession,
    *,
    dedup_key: str,
    source: str,
    severity: AlertSeverity,
    title: str,
    description: str = "",
    now: datetime | None = None,
) -> Alert:
    """A new alert, or the unresolved one with `dedup_key` updated."""
    now = now or utcnow()
    alert = await open_alert(session, dedup_key=dedup_key)
    if alert is None:
        alert = Alert(
            dedup_key=dedup_key,
            open_key=dedup_key,
            source=source,
            severity=severity,
            status=AlertStatus.OPEN,
            title=title[:MAX_TITLE],
            description=description[:MAX_DESCRIPTION],
            count=1,
            first_seen_at=now,
            last_seen_at=now,
        )
        session.add(alert)
    else:
        alert.count += 1
        alert.last_seen_at = now
        alert.title = title[:MAX_TITLE]
        alert.description = description[:MAX_DESCRIPTION]
        if severity.rank > alert.severity.rank:
            alert.severity = severity
    await session.flush()
    return alert


async def get_alert(session: AsyncSession, *, alert_id: str) -> Alert:
    alert = await session.get(Alert, alert_id)
    if alert is None:
        raise AlertNotFound(alert_id)
    return alert


async def acknowledge_alert(session: AsyncSession, *, alert_id: str, actor_id: str) -> Alert:
    """OPEN -> ACKNOWLEDGED (again: unchanged); a resolved alert is CONFLICT."""
    alert = await get_alert(session, alert_id=alert_id)
    if alert.status is AlertStatus.RESOLVED:
        raise AlertAlreadyResolved(alert_id)
    if alert.status is AlertStatus.OPEN:
        alert.status = AlertStatus.ACKNOWLEDGED
        alert.acknowledged_at = utcnow()
        alert.acknowledged_by = actor_id
        await session.flush()
    return alert


async def resolve_alert(session: AsyncSession, *, alert_id: str, actor_id: str | None) -> Alert:
    """Resolve an alert (`actor_id` None: a rule saw the problem end); resolved again: CONFLICT."""
    alert = await get_alert(session, alert_id=alert_id)
    if alert.status is AlertStatus.RESOLVED:
        raise AlertAlreadyResolved(alert_id)
    alert.status = AlertStatus.RESOLVED
    alert.open_key = None
    alert.resolved_at = utcnow()
    alert.resolved_by = actor_id
    await session.flush()
    return alert


async def list_alerts(
    session: AsyncSession,
    *,
    statuses: Sequence[AlertStatus] | None,
    min_severity: AlertSeverity,
    first: int | None,
    after: str | None,
) -> Page[Alert]:
    """Alerts newest first (by when they were first seen)."""
    statement = select(Alert).where(
        Alert.severity.in_([s for s in AlertSeverity if s.rank >= min_severity.rank])
    )
    if statuses:
        statement = statement.where(Alert.status.in_(list(statuses)))
    return await paginate(
        session,
        statement,
        first=first,
        after=after,
        order_by=(Alert.first_seen_at, Alert.id),
        descending=True,
    )


def alert_message(alert: Alert) -> dict[str, Any]:
    """An alert as published on the `observability.alerts` channel."""

    def when(value: datetime | None) -> str | None:
        return value.isoformat() if value is not None else None

    return {
        "id": alert.id,
        "dedupKey": alert.dedup_key,
        "source": alert.source,
        "severity": alert.severity.value,
        "status": alert.status.value,
        "title": alert.title,
        "description": alert.description,
        "count": alert.count,
        "firstSeenAt": when(alert.first_seen_at),
        "lastSeenAt": when(alert.last_seen_at),
        "acknowledgedAt": when(alert.acknowledged_at),
        "acknowledgedBy": alert.acknowledged_by,
        "resolvedAt": when(alert.resolved_at),
        "resolvedBy": alert.resolved_by,
    }


def record_alert_change(session: AsyncSession, alert: Alert, change: str) -> None:
    """Record `observability.alert.<change>` (raised, acknowledged, resolved) in the outbox: it
    commits with the change, and the relay's consumer publishes it on `observability.alerts`."""
    record_event(session, f"observability.alert.{change}", alert_message(alert))
