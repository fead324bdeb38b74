"""What the observability app holds while it runs: the probe HTTP client, the targets and the
probe policy, and the `AlertCenter` (`app.state.alerts`) that turns probes and domain events
into alerts; alert changes go out as `observability.alert.*` domain events (the outbox) and are
republished on the `observability.alerts` bus channel (docs/events.md).

`observer_lifespan` is the app's `lifespan` hook (inside the kernel's: database and event bus
open): it opens the aiohttp session, registers the alert rules as `domain-events` consumers and
runs the background probe loop (every `EHB_OBSERVED_INTERVAL_SECONDS`; 0 turns it off) and
retention (retention.py). Only the `services` query keeps probes as history; background rounds
feed the health rule alone.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from typing import Any

import aiohttp
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.applications import Starlette
from starlette.requests import HTTPConnection

from subgraphs.kernel.app import Lifespan
from subgraphs.kernel.db import Database
from subgraphs.kernel.events import EventBus
from subgraphs.observability.alerts import record_alert_change
from subgraphs.observability.models import Alert, AlertStatus
from subgraphs.observability.probe import ProbePolicy, ProbeResult, probe_all
from subgraphs.observability.retention import Retention, RetentionPolicy
from subgraphs.observability.rules import (
    ThresholdRule,
    Thresholds,
    evaluate_event,
    evaluate_health,
    threshold_rules,
)
from subgraphs.observability.services import record_checks
from subgraphs.observability.settings import (
    AlertSettings,
    ObservabilitySettings,
    ProbeTarget,
    RetentionSettings,
)

logger = logging.getLogger("subgraphs.observability")

USER_AGENT = "ehb5-observability"
ALERTS_CHANNEL = "observability.alerts"
RULE_PREFIXES = ("identity.", "money.")
COMMIT_ATTEMPTS = 3


@dataclass(frozen=True, slots=True)
class Observer:
    """The running app's probe client with its targets and policy (on `app.state.observer`)."""

    http: aiohttp.ClientSession
    targets: tuple[ProbeTarget, ...]
    policy: ProbePolicy


def record_changes(session: Any, alerts: Sequence[Alert]) -> None:
    for alert in alerts:
        change = "resolved" if alert.status is AlertStatus.RESOLVED else "raised"
        record_alert_change(session, alert, change)


@dataclass(frozen=True, slots=True)
class AlertCenter:
    """Runs the rules in their own transactions. Every alert change is recorded as an
    `observability.alert.*` domain event in the same transaction; `relay_alert` (consuming
    those) publishes it on `observability.alerts`, so a change is announced iff it committed."""

    database: Database
    events: EventBus
    rules: tuple[ThresholdRule, ...]

    async def relay_alert(self, envelope: dict[str, Any]) -> None:
        payload = envelope.get("payload")
        if isinstance(payload, dict) and "id" in payload:
            await self.events.publish(ALERTS_CHANNEL, payload)

    async def record_probes(self, results: Sequence[ProbeResult], *, history: bool) -> None:
        """Apply the health rule to the probes, keeping them as history when `history`
        (one transaction)."""

        async def unit(session: AsyncSession) -> None:
            if history:
                await record_checks(session, results=results)
            record_changes(session, await evaluate_health(session, results))

        await self._run(unit)

    async def handle_event(self, envelope: dict[str, Any]) -> None:
        """The `domain-events` consumer: count the event for the threshold rules."""

        async def unit(session: AsyncSession) -> None:
            record_changes(session, await evaluate_event(session, self.rules, envelope))

        await self._run(unit)

    async def _run(self, unit: Callable[[AsyncSession], Awaitable[None]]) -> None:
        """`unit` in a transaction of its own, run again when a concurrent one (another
        instance, the background probe vs the `services` query) won a unique key first: the
        open alert it made is then found and updated, an event already counted is skipped."""
        for attempt in range(1, COMMIT_ATTEMPTS + 1):
            async with self.database.sessions() as session:
                try:
                    await unit(session)  # flushes may already meet the other's row
                    await session.commit()
                    return
                except IntegrityError:
                    await session.rollback()
                    if attempt == COMMIT_ATTEMPTS:
                        raise


def observer_lifespan(
    settings: ObservabilitySettings,
    alert_settings: AlertSettings | None = None,
    retention_settings: RetentionSettings | None = None,
) -> Lifespan:
    """The lifespan hook: probe client (`app.state.observer`), alert center (`app.state.alerts`)
    consuming identity and money events, the background probe loop and retention."""
    targets = settings.targets()  # fail at start-up, not on the first query, when misconfigured
    policy = ProbePolicy(
        timeout_seconds=settings.timeout_seconds,
        degraded_latency_ms=settings.degraded_latency_ms,
    )
    limits = alert_settings or AlertSettings()
    rules = threshold_rules(Thresholds(**limits.model_dump()))
    keep = retention_settings or RetentionSettings()
    retention_policy = RetentionPolicy(
        checks_days=keep.checks_days,
        resolved_alerts_days=keep.resolved_alerts_days,
        rule_hits_seconds=max((rule.window_seconds for rule in rules), default=3600.0),
        interval_seconds=keep.interval_seconds,
    )

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with _client() as http:
            observer = Observer(http=http, targets=targets, policy=policy)
            app.state.observer = observer
            events: EventBus = app.state.events
            center = AlertCenter(database=app.state.database, events=events, rules=rules)
            app.state.alerts = center
            stops = [events.consume(prefix, center.handle_event) for prefix in RULE_PREFIXES]
            stops.append(events.consume("observability.alert.", center.relay_alert))
            tasks = [
                asyncio.create_task(
                    Retention(app.state.database, retention_policy).run(),
                    name="observability-retention",
                )
            ]
            if settings.interval_seconds > 0:
                tasks.append(
                    asyncio.create_task(
                        _probe_forever(observer, center, settings.interval_seconds),
                        name="observability-probe",
                    )
                )
            try:
                yield
            finally:
                for stop in stops:
                    stop()
                for task in tasks:
                    task.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await task

    return lifespan


async def _probe_forever(observer: Observer, center: AlertCenter, interval: float) -> None:
    while True:
        try:
            results = await probe_all(observer.http, observer.targets, observer.policy)
            await center.record_probes(results, history=False)
        except Exception:
            logger.exception("background probe round failed")
        await asyncio.sleep(interval)


def _client() -> AbstractAsyncContextManager[aiohttp.ClientSession]:
    return aiohttp.ClientSession(headers={"User-Agent": USER_AGENT, "Accept": "application/json"})


def observer_of(request: HTTPConnection) -> Observer:
    observer: Observer = request.app.state.observer
    return observer


def alerts_of(request: HTTPConnection) -> AlertCenter:
    center: AlertCenter = request.app.state.alerts
    return center


async def probe_and_record(request: HTTPConnection) -> list[ProbeResult]:
    """Probe every target now, keep the results as history and apply the health rule.

    The history is an observation log, not part of the request's unit of work (queries always
    roll back), so it is written in its own short transaction.
    """
    observer = observer_of(request)
    results = await probe_all(observer.http, observer.targets, observer.policy)
    await alerts_of(request).record_probes(results, history=True)
    return results
