"""Payments' settings (`EHB_PAYMENTS_*`) and the webhook secret.

- `EHB_PAYMENTS_WEBHOOK_SECRET`: the secret providers sign webhooks with. Production: required
  (the money app refuses to start without it). Development: generated at first run into
  `<data_dir>/payments-webhook-secret` (mode 0600; the data dir is never committed).
- `EHB_PAYMENTS_WEBHOOK_TOLERANCE_SECONDS` (300): how far a signed timestamp may be from now.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from subgraphs.kernel.settings import Settings

SECRET_FILE = "payments-webhook-secret"


class WebhookSecretMissing(RuntimeError):
    pass


class PaymentSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="EHB_PAYMENTS_", extra="ignore")

    webhook_secret: SecretStr | None = None
    webhook_tolerance_seconds: int = Field(default=300, ge=1, le=3600)


def webhook_secret(settings: Settings, payments: PaymentSettings) -> bytes:
    """The signing secret (see the module docstring)."""
    if payments.webhook_secret is not None:
        value = payments.webhook_secret.get_secret_value().strip()
        if len(value) < 16:
            raise WebhookSecretMissing("EHB_PAYMENTS_WEBHOOK_SECRET must be at least 16 characters")
        return value.encode()
    if settings.is_production:
        raise WebhookSecretMissing("production needs EHB_PAYMENTS_WEBHOOK_SECRET")
    return development_secret(settings.data_dir / SECRET_FILE).encode()


def development_secret(path: Path) -> str:
    """The secret in `path`, written (0600) with a fresh random value when absent."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text("ascii").strip()
    value = "whsec_" + secrets.token_urlsafe(32)
    with os.fdopen(descriptor, "w", encoding="ascii") as file:
        file.write(value)
    return value
