"""Alert rules: what turns probes and domain events into alerts. Functions take the session and
never commit; each returns the alerts it raised or resolved (to be published).

- Health (`evaluate_health`): a probed service that is DOWN raises a CRITICAL alert, DEGRADED a
  WARNING one (dedup key `health:<name>`, repeats count up); once it answers UP again, a rule
  resolves that alert (resolvedBy null): the recovery.
- Thresholds (`THRESHOLD_RULES`, `evaluate_event`): events of a kind are counted in a sliding
  window (`observability_rule_hits`, one row per event id, so a redelivered event counts once);
  at `threshold` hits within `window_seconds` an alert is raised, and every further hit in the
  window bumps it. At five times the threshold it becomes CRITICAL.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.kernel.db import utcnow
from subgraphs.observability.alerts import open_alerts, raise_alert, resolve_alert
from subgraphs.observability.models import Alert, AlertSeverity, RuleHit, ServiceHealth
from subgraphs.observability.probe import ProbeResult

CRITICAL_FACTOR = 5


async def evaluate_health(session: AsyncSession, results: Iterable[ProbeResult]) -> list[Alert]:
    changed: list[Alert] = []
    results = list(results)
    # One SELECT for every service that answered UP (each probe round, for all targets).
    up_keys = [f"health:{result.name}" for result in results if result.health is ServiceHealth.UP]
    recovering = await open_alerts(session, dedup_keys=up_keys)
    for result in results:
        key = f"health:{result.name}"
        if result.health is ServiceHealth.UP:
            found = recovering.get(key)
            if found is not None:
                changed.append(await resolve_alert(session, alert_id=found.id, actor_id=None))
            continue
        severity = (
            AlertSeverity.CRITICAL if result.health is ServiceHealth.DOWN else AlertSeverity.WARNING
        )
        changed.append(
            await raise_alert(
                session,
                dedup_key=key,
                source=result.name,
                severity=severity,
                title=f"{result.name} is {result.health.value}",
                description=result.error or "",
                now=result.checked_at,
            )
        )
    return changed


@dataclass(frozen=True, slots=True)
class ThresholdRule:
    name: str
    source: str
    matches: Callable[[str], bool]
    threshold: int
    window_seconds: float
    severity: AlertSeverity
    title: str
    """`{count}` and `{minutes}` are filled in."""


@dataclass(frozen=True, slots=True)
class Thresholds:
    """How many events within how long make an alert (`EHB_ALERTS_*`, see settings.py)."""

    failed_logins: int = 20
    failed_logins_window_seconds: float = 300
    account_locks: int = 3
    account_locks_window_seconds: float = 600
    payment_failures: int = 5
    payment_failures_window_seconds: float = 300


def threshold_rules(limits: Thresholds) -> tuple[ThresholdRule, ...]:
    return (
        ThresholdRule(
            "failed-logins",
            "identity",
            lambda event_type: event_type == "identity.login.failed",
            limits.failed_logins,
            limits.failed_logins_window_seconds,
            AlertSeverity.WARNING,
            "Burst of failed sign-ins: {count} in {minutes} min",
        ),
        ThresholdRule(
            "account-locks",
            "identity",
            lambda event_type: event_type == "identity.login.locked",
            limits.account_locks,
            limits.account_locks_window_seconds,
            AlertSeverity.WARNING,
            "Accounts locked after failed sign-ins: {count} in {minutes} min",
        ),
        ThresholdRule(
            "refresh-token-reuse",
            "identity",
            lambda event_type: event_type == "identity.token.reused",
            1,
            3600,
            AlertSeverity.CRITICAL,
            "Refresh tokens reused (possible token theft): {count} in {minutes} min",
        ),
        ThresholdRule(
            "fraud-holds",
            "money",
            lambda event_type: event_type == "money.fraud.held",
            1,
            3600,
            AlertSeverity.WARNING,
            "Movements held for fraud review: {count} in {minutes} min",
        ),
        ThresholdRule(
            "fraud-blocks",
            "money",
            lambda event_type: event_type == "money.fraud.blocked",
            1,
            3600,
            AlertSeverity.CRITICAL,
            "Movements blocked by fraud checks: {count} in {minutes} min",
        ),
        ThresholdRule(
            "payment-failures",
            "money",
            lambda event_type: event_type.startswith("money.") and event_type.endswith(".failed"),
            limits.payment_failures,
            limits.payment_failures_window_seconds,
            AlertSeverity.WARNING,
            "Payment failures spiking: {count} in {minutes} min",
        ),
    )


def _occurred_at(envelope: Mapping[str, Any], now: datetime) -> datetime:
    raw = envelope.get("occurredAt")
    if isinstance(raw, str):
        try:
            parsed = datetime.fromisoformat(raw)
        except ValueError:
            return now
        if parsed.tzinfo is not None:
            return min(parsed, now)
    return now


async def evaluate_event(
    session: AsyncSession,
    rules: Iterable[ThresholdRule],
    envelope: Mapping[str, Any],
    *,
    now: datetime | None = None,
) -> list[Alert]:
    """Count `envelope` (a domain event) for every rule it matches; the alerts that result."""
    now = now or utcnow()
    event_type, event_id = envelope.get("type"), envelope.get("id")
    if not isinstance(event_type, str) or not isinstance(event_id, str) or not event_id:
        return []
    changed: list[Alert] = []
    for rule in rules:
        if not rule.matches(event_type):
            continue
        hit_id = f"{rule.name}:{event_id}"[:64]
        if await session.scalar(select(RuleHit.id).where(RuleHit.event_id == hit_id)):
            continue  # seen before: at-least-once delivery
        since = now - timedelta(seconds=rule.window_seconds)
        await session.execute(
            delete(RuleHit).where(RuleHit.rule == rule.name, RuleHit.occurred_at < since)
        )
        session.add(
            RuleHit(rule=rule.name, event_id=hit_id, occurred_at=_occurred_at(envelope, now))
        )
        await session.flush()
        count = int(
            await session.scalar(
                select(func.count())
                .select_from(RuleHit)
                .where(RuleHit.rule == rule.name, RuleHit.occurred_at >= since)
            )
            or 0
        )
        if count < rule.threshold:
            continue
        severity = (
            AlertSeverity.CRITICAL if count >= rule.threshold * CRITICAL_FACTOR else rule.severity
        )
        minutes = f"{rule.window_seconds / 60:g}"
        changed.append(
            await raise_alert(
                session,
                dedup_key=f"rule:{rule.name}",
                source=rule.source,
                severity=severity,
                title=rule.title.format(count=count, minutes=minutes),
                description=f"Latest: {event_type} ({event_id}).",
                now=now,
            )
        )
    return changed
