"""Retention: money forgets bookkeeping that only protects against retries, a bounded batch at
a time (subgraphs/kernel/retention.py). The ledger, payments, refunds and fraud decisions are
records and are never pruned.

`prune_once` deletes:
- idempotency keys older than `EHB_MONEY_RETENTION_IDEMPOTENCY_KEYS_DAYS` (30): a retry with
  the same key after that runs as a new request (clients retry within minutes, not weeks);
- accepted provider webhook events and rejected webhooks older than
  `EHB_MONEY_RETENTION_WEBHOOKS_DAYS` (90): providers stop redelivering within days.

`Retention.run` calls it every `EHB_MONEY_RETENTION_INTERVAL_SECONDS` (an hour) in the money
lifespan (`retention_lifespan`). Several instances may prune at once: each delete is idempotent.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict
from starlette.applications import Starlette

from subgraphs.kernel.app import Lifespan
from subgraphs.kernel.retention import PeriodicRetention, delete_all
from subgraphs.money.models import IdempotencyRecord
from subgraphs.money.payments.models import RejectedWebhook, WebhookEvent

logger = logging.getLogger("subgraphs.money.retention")


class RetentionSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="EHB_MONEY_RETENTION_", extra="ignore")

    idempotency_keys_days: float = Field(default=30.0, gt=0)
    webhooks_days: float = Field(default=90.0, gt=0)
    interval_seconds: float = Field(default=3600.0, gt=0, description="pruning pace")


@dataclass(frozen=True, slots=True)
class RetentionPolicy:
    idempotency_keys_days: float = 30.0
    webhooks_days: float = 90.0
    interval_seconds: float = 3600.0
    batch_size: int = 500

    @classmethod
    def from_settings(cls, settings: RetentionSettings) -> RetentionPolicy:
        return cls(
            idempotency_keys_days=settings.idempotency_keys_days,
            webhooks_days=settings.webhooks_days,
            interval_seconds=settings.interval_seconds,
        )


@dataclass(frozen=True, slots=True)
class Pruned:
    idempotency_keys: int = 0
    webhook_events: int = 0
    rejected_webhooks: int = 0

    def __bool__(self) -> bool:
        return any((self.idempotency_keys, self.webhook_events, self.rejected_webhooks))


class Retention(PeriodicRetention[RetentionPolicy]):
    logger = logger

    async def prune_once(self) -> Pruned:
        """Everything past retention now, batch after batch; returns how many rows went."""
        now = self._clock()
        size = self._policy.batch_size
        keys_cutoff = now - timedelta(days=self._policy.idempotency_keys_days)
        webhooks_cutoff = now - timedelta(days=self._policy.webhooks_days)
        keys = await delete_all(
            self._database,
            IdempotencyRecord.id,
            IdempotencyRecord.created_at < keys_cutoff,
            oldest_first=IdempotencyRecord.created_at,
            batch_size=size,
        )
        events = await delete_all(
            self._database,
            WebhookEvent.id,
            WebhookEvent.received_at < webhooks_cutoff,
            oldest_first=WebhookEvent.received_at,
            batch_size=size,
        )
        rejected = await delete_all(
            self._database,
            RejectedWebhook.id,
            RejectedWebhook.received_at < webhooks_cutoff,
            oldest_first=RejectedWebhook.received_at,
            batch_size=size,
        )
        return Pruned(idempotency_keys=keys, webhook_events=events, rejected_webhooks=rejected)


def retention_lifespan(settings: RetentionSettings | None = None) -> Lifespan:
    """Runs `Retention` in the background while the money app serves."""
    policy = RetentionPolicy.from_settings(settings or RetentionSettings())

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        task = asyncio.create_task(
            Retention(app.state.database, policy).run(), name="money-retention"
        )
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    return lifespan
