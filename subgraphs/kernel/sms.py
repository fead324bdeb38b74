"""Outgoing SMS: one `SmsSender` protocol, two implementations.

- `HttpSmsSender` speaks the common SMS HTTP API (Twilio's shape, which several providers copy):
  `POST {base_url}/2010-04-01/Accounts/{account_sid}/Messages.json` with the form fields `To`,
  `From`, `Body` and HTTP basic auth (account SID, auth token). Configured by `EHB_SMS_*`
  (`SmsSettings`).
- `OutboxSmsSender` is the embedded development default (`EHB_SMS_BASE_URL` unset): each message
  is written as a `.txt` file into `<EHB_DATA_DIR>/sms/`.

A failure raises `SmsDeliveryFailed` (never showing the auth token); `permanent` says a retry
cannot help (the provider refused the message itself, e.g. an invalid number).
"""

from __future__ import annotations

import asyncio
import base64
import logging
import os
import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol
from urllib.parse import quote

import aiohttp
from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = [
    "HttpSmsSender",
    "OutboxSmsSender",
    "SmsDeliveryFailed",
    "SmsSender",
    "SmsSettings",
    "normalise_phone_number",
    "sms_sender_from_settings",
]

logger = logging.getLogger("subgraphs.kernel.sms")

_E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")
MAX_BODY = 1600  # what the common API accepts (it splits into segments itself)


class SmsDeliveryFailed(Exception):
    """The message was not accepted. `permanent`: the provider refused it for good (bad number,
    bad request), so retrying is pointless."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


class SmsSender(Protocol):
    async def send(self, to: str, body: str) -> None:
        """Hand `body` for the E.164 number `to` to the provider or raise `SmsDeliveryFailed`."""
        ...


def normalise_phone_number(raw: str) -> str:
    """`raw` in E.164 (`+` and 7 to 15 digits; spaces, dots, dashes and parentheses dropped);
    ValueError otherwise."""
    compact = re.sub(r"[\s().-]", "", raw)
    if not _E164.match(compact):
        raise ValueError("a phone number must be in international form, e.g. +15551234567")
    return compact


class SmsSettings(BaseSettings):
    """`EHB_SMS_BASE_URL` (e.g. `https://api.twilio.com`), `EHB_SMS_ACCOUNT_SID`,
    `EHB_SMS_AUTH_TOKEN`, `EHB_SMS_FROM` (the sending number), `EHB_SMS_TIMEOUT_SECONDS`."""

    model_config = SettingsConfigDict(env_prefix="EHB_SMS_", extra="ignore")

    base_url: str | None = None
    account_sid: str = ""
    auth_token: SecretStr = SecretStr("")
    from_number: str = ""
    timeout_seconds: float = 10.0


@dataclass(frozen=True, kw_only=True)
class HttpSmsSender:
    """The common SMS HTTP API over a shared aiohttp session (owned by the caller's lifespan)."""

    http: aiohttp.ClientSession = field(repr=False)
    base_url: str
    account_sid: str
    auth_token: str = field(repr=False)
    from_number: str
    timeout_seconds: float = 10.0

    @property
    def messages_url(self) -> str:
        account = quote(self.account_sid, safe="")
        return f"{self.base_url.rstrip('/')}/2010-04-01/Accounts/{account}/Messages.json"

    async def send(self, to: str, body: str) -> None:
        form = {"To": to, "From": self.from_number, "Body": body[:MAX_BODY]}
        try:
            async with self.http.post(
                self.messages_url,
                data=form,
                headers={"Authorization": _basic_auth(self.account_sid, self.auth_token)},
                timeout=aiohttp.ClientTimeout(total=self.timeout_seconds),
            ) as response:
                text = await response.text()
                status = response.status
        except TimeoutError as error:
            raise SmsDeliveryFailed(
                f"SMS provider gave no answer within {self.timeout_seconds:g} s"
            ) from error
        except (aiohttp.ClientError, OSError) as error:
            raise SmsDeliveryFailed(f"SMS provider unreachable: {type(error).__name__}") from error
        if 200 <= status < 300:
            return
        detail = self._redacted(text[:300])
        # 4xx (but 408/429) is the provider refusing this message: retrying will not help.
        permanent = 400 <= status < 500 and status not in (408, 429)
        raise SmsDeliveryFailed(
            f"SMS provider answered HTTP {status}: {detail}", permanent=permanent
        )

    def _redacted(self, text: str) -> str:
        return text.replace(self.auth_token, "***") if self.auth_token else text


def _basic_auth(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


@dataclass(frozen=True, kw_only=True)
class OutboxSmsSender:
    """Writes each message as `<directory>/<UTC timestamp>-<random>.txt` (development only)."""

    directory: Path

    async def send(self, to: str, body: str) -> None:
        try:
            path = await asyncio.to_thread(self._write, f"To: {to}\n\n{body}\n")
        except OSError as error:
            raise SmsDeliveryFailed(f"could not write SMS into {self.directory}") from error
        logger.info("SMS to %s written to %s", to, path)

    def messages(self) -> list[Path]:
        return sorted(self.directory.glob("*.txt")) if self.directory.is_dir() else []

    def _write(self, text: str) -> Path:
        self.directory.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        path = self.directory / f"{stamp}-{uuid.uuid4().hex[:8]}.txt"
        partial = path.with_suffix(".partial")
        partial.write_text(text, encoding="utf-8")
        os.replace(partial, path)
        return path


def sms_sender_from_settings(
    settings: SmsSettings, *, http: aiohttp.ClientSession, data_dir: Path, production: bool
) -> SmsSender:
    """The provider when `EHB_SMS_BASE_URL` is set, else the outbox in `<data_dir>/sms/`."""
    if settings.base_url:
        if not settings.account_sid or not settings.from_number:
            raise ValueError("EHB_SMS_BASE_URL needs EHB_SMS_ACCOUNT_SID and EHB_SMS_FROM")
        return HttpSmsSender(
            http=http,
            base_url=settings.base_url,
            account_sid=settings.account_sid,
            auth_token=settings.auth_token.get_secret_value(),
            from_number=settings.from_number,
            timeout_seconds=settings.timeout_seconds,
        )
    directory = data_dir / "sms"
    if production:
        logger.warning("EHB_SMS_BASE_URL is not set: SMS are written to %s, not sent", directory)
    return OutboxSmsSender(directory=directory)
