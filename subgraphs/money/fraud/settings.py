"""Fraud rule thresholds and weights, from `EHB_FRAUD_*` environment variables.

Amounts are minor units of the movement's currency (`HIGH_AMOUNT`, overridable per currency with
`HIGH_AMOUNT_BY_CURRENCY`, a JSON object such as `{"JPY": 150000}`). Scores are whole points:
below `HOLD_SCORE` a movement passes, from `HOLD_SCORE` it is held for review, from
`BLOCK_SCORE` it is refused."""

from __future__ import annotations

import os
from functools import lru_cache
from typing import Self

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class FraudSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="EHB_FRAUD_", extra="ignore")

    enabled: bool = True
    hold_score: int = Field(default=40, ge=1)
    block_score: int = Field(default=80, ge=1)

    # Velocity: outgoing movements already attempted within the window (any outcome).
    velocity_window_seconds: int = Field(default=600, ge=1)
    user_velocity_limit: int = Field(default=5, ge=1)
    user_velocity_points: int = Field(default=40, ge=0)
    device_velocity_limit: int = Field(default=10, ge=1)
    device_velocity_points: int = Field(default=40, ge=0)
    address_velocity_limit: int = Field(default=10, ge=1)
    address_velocity_points: int = Field(default=30, ge=0)

    # Amount far above the user's history (completed movements in the same currency).
    history_window_days: int = Field(default=90, ge=1)
    history_min_movements: int = Field(default=3, ge=1)
    amount_spike_multiplier: int = Field(default=5, ge=2)
    amount_spike_points: int = Field(default=40, ge=0)

    # A payment method younger than this, used for a high amount.
    high_amount: int = Field(default=100_000, ge=1)
    high_amount_by_currency: dict[str, int] = Field(default_factory=dict)
    new_method_seconds: int = Field(default=86_400, ge=1)
    new_method_points: int = Field(default=50, ge=0)

    # Failed payments of the user (`money.payment.failed` events) within the window.
    failed_payments_window_seconds: int = Field(default=3600, ge=1)
    failed_payments_limit: int = Field(default=3, ge=1)
    failed_payments_points: int = Field(default=40, ge=0)

    @model_validator(mode="after")
    def _block_above_hold(self) -> Self:
        if self.block_score < self.hold_score:
            raise ValueError("EHB_FRAUD_BLOCK_SCORE must be at least EHB_FRAUD_HOLD_SCORE")
        return self

    def high_amount_for(self, currency: str) -> int:
        return self.high_amount_by_currency.get(currency, self.high_amount)


def fraud_settings() -> FraudSettings:
    """The settings as the environment says now (`EHB_FRAUD_*` are looked at on each
    screening; parsed again only when they changed), so a test may set them."""
    return _parsed(tuple(sorted((k, v) for k, v in os.environ.items() if k.startswith(_PREFIX))))


_PREFIX = "EHB_FRAUD_"


@lru_cache(maxsize=4)
def _parsed(environment: tuple[tuple[str, str], ...]) -> FraudSettings:
    return FraudSettings()
