"""support's own settings: how the notification delivery worker retries, and how long
notifications, delivery records and handled-event ids are kept (`EHB_NOTIFICATIONS_*`).

Channel settings live with their adapters: email `EHB_SMTP_URL` (subgraphs.kernel.email), SMS
`EHB_SMS_*` (subgraphs.kernel.sms), push `EHB_VAPID_*` (subgraphs.kernel.push).
"""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from subgraphs.support.delivery import DeliveryPolicy
from subgraphs.support.retention import RetentionPolicy


class NotificationDeliverySettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="EHB_NOTIFICATIONS_", extra="ignore")

    max_attempts: int = Field(default=5, ge=1, description="then FAILED")
    backoff_base_seconds: float = Field(default=30.0, gt=0, description="wait after attempt 1")
    backoff_max_seconds: float = Field(default=3600.0, gt=0, description="longest wait")
    lease_seconds: float = Field(default=120.0, gt=0, description="a claimed send's time limit")
    poll_seconds: float = Field(
        default=30.0, gt=0, description="idle worker looks this often (new work wakes it)"
    )
    worker: bool = Field(
        default=True, description="run the delivery worker (and retention) in this process"
    )
    retention_days: float = Field(
        default=90.0, gt=0, description="read notifications and final deliveries are kept"
    )
    handled_events_retention_days: float = Field(
        default=30.0, gt=0, description="handled domain-event ids are kept"
    )
    retention_interval_seconds: float = Field(default=3600.0, gt=0, description="pruning pace")

    def policy(self) -> DeliveryPolicy:
        return DeliveryPolicy(
            max_attempts=self.max_attempts,
            backoff_base_seconds=self.backoff_base_seconds,
            backoff_max_seconds=self.backoff_max_seconds,
            lease_seconds=self.lease_seconds,
            poll_seconds=self.poll_seconds,
        )

    def retention(self) -> RetentionPolicy:
        return RetentionPolicy(
            notifications_days=self.retention_days,
            handled_events_days=self.handled_events_retention_days,
            interval_seconds=self.retention_interval_seconds,
        )
