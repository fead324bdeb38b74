"""Trusty wallets' settings (`EHB_TRUSTY_*`), read when the money app is created."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class TrustySettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="EHB_TRUSTY_", extra="ignore")

    vault_delay_seconds: int = Field(
        default=48 * 3600,
        ge=0,
        le=90 * 24 * 3600,
        description="time lock of a vault withdrawal, counted from its last needed approval",
    )
    default_expiry_seconds: int = Field(
        default=7 * 24 * 3600, ge=1, description="how long a proposal collects approvals"
    )
    min_expiry_seconds: int = Field(
        default=60, ge=1, description="shortest `expiresInSeconds` a proposal may ask"
    )
    max_expiry_seconds: int = Field(
        default=30 * 24 * 3600, ge=1, description="longest `expiresInSeconds` a proposal may ask"
    )
    max_signers: int = Field(default=15, ge=1, le=100, description="N of M-of-N, at most")
