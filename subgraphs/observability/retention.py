"""Retention: observability forgets history nobody reads, a bounded batch at a time.

`prune_once` deletes, each batch in its own short transaction (subgraphs/kernel/retention.py):
- service checks (the `services` query's probe history) older than
  `EHB_OBSERVABILITY_RETENTION_CHECKS_DAYS` (30);
- alerts RESOLVED before `EHB_OBSERVABILITY_RETENTION_RESOLVED_ALERTS_DAYS` (90); open and
  acknowledged alerts stay whatever their age;
- rule hits older than the longest threshold-rule window: no rule counts them any more (a rule
  already drops its own old hits when it fires; this catches rules that stopped firing).

`Retention.run` calls it every `EHB_OBSERVABILITY_RETENTION_INTERVAL_SECONDS` (an hour) in the
observability lifespan. Several instances may prune at once: each delete is idempotent.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from subgraphs.kernel.retention import PeriodicRetention, delete_all
from subgraphs.observability.models import Alert, AlertStatus, RuleHit, ServiceCheck

logger = logging.getLogger("subgraphs.observability.retention")


@dataclass(frozen=True, slots=True)
class RetentionPolicy:
    checks_days: float = 30.0
    resolved_alerts_days: float = 90.0
    rule_hits_seconds: float = 3600.0
    """The longest threshold-rule window (set from the rules, not configured on its own)."""
    interval_seconds: float = 3600.0
    batch_size: int = 500


@dataclass(frozen=True, slots=True)
class Pruned:
    service_checks: int = 0
    resolved_alerts: int = 0
    rule_hits: int = 0

    def __bool__(self) -> bool:
        return any((self.service_checks, self.resolved_alerts, self.rule_hits))


class Retention(PeriodicRetention[RetentionPolicy]):
    logger = logger

    async def prune_once(self) -> Pruned:
        """Everything past retention now, batch after batch; returns how many rows went."""
        now = self._clock()
        policy = self._policy
        size = policy.batch_size
        checks_cutoff = now - timedelta(days=policy.checks_days)
        alerts_cutoff = now - timedelta(days=policy.resolved_alerts_days)
        hits_cutoff = now - timedelta(seconds=policy.rule_hits_seconds)
        checks = await delete_all(
            self._database,
            ServiceCheck.id,
            ServiceCheck.checked_at < checks_cutoff,
            oldest_first=ServiceCheck.checked_at,
            batch_size=size,
        )
        alerts = await delete_all(
            self._database,
            Alert.id,
            Alert.status == AlertStatus.RESOLVED,
            Alert.resolved_at < alerts_cutoff,
            oldest_first=Alert.resolved_at,
            batch_size=size,
        )
        hits = await delete_all(
            self._database,
            RuleHit.id,
            RuleHit.occurred_at < hits_cutoff,
            oldest_first=RuleHit.occurred_at,
            batch_size=size,
        )
        return Pruned(service_checks=checks, resolved_alerts=alerts, rule_hits=hits)
