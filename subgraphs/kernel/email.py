"""Outgoing transactional email: one `EmailSender` protocol, two implementations.

- `SmtpEmailSender` delivers through an SMTP server (aiosmtplib): plain, STARTTLS or implicit TLS,
  optional AUTH. Configured by `EHB_SMTP_URL`, e.g. `smtp://user:pass@host:587?starttls=1` or
  `smtps://user:pass@host` (see `parse_smtp_url`).
- `MailboxEmailSender` is the embedded development default (`EHB_SMTP_URL` unset): every message is
  written as an `.eml` file into `<EHB_DATA_DIR>/mail/`, so a developer can open a password-reset
  email locally.

Build messages with `render_email` and send them with the sender from `email_sender_from_settings`:

    sender = email_sender_from_settings(settings)          # once, in the app lifespan
    message = render_email(
        "ada@example.com",
        "Reset your password",
        "Hello $name, open $link within 30 minutes.",
        html="<p>Hello $name, <a href='$link'>reset your password</a>.</p>",
        values={"name": user.display_name, "link": reset_link},
    )
    await sender.send(message)                             # raises EmailDeliveryFailed

A failure raises `EmailDeliveryFailed`, whose message names the server and the reason but never
the credentials. It is not a `DomainError`: callers decide what (if anything) a client learns —
password reset, for one, must answer the same whether or not the email went out.
"""

from __future__ import annotations

import asyncio
import copy
import html as html_module
import logging
import os
import ssl
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from string import Template
from typing import Protocol
from urllib.parse import parse_qsl, unquote, urlsplit

import aiosmtplib

from subgraphs.kernel.settings import Settings

__all__ = [
    "EmailDeliveryFailed",
    "EmailSender",
    "MailboxEmailSender",
    "SmtpEmailSender",
    "email_sender_from_settings",
    "parse_smtp_url",
    "render_email",
]

logger = logging.getLogger("subgraphs.kernel.email")

DEFAULT_FROM = "EHB-5 <no-reply@ehb.localhost>"


class EmailDeliveryFailed(Exception):
    """A message could not be handed to the mail transport (server down, refused, timed out,
    authentication failed, mailbox not writable). The message never contains credentials."""


class EmailSender(Protocol):
    """Anything that can deliver an `EmailMessage` (headers To/Subject set; From optional)."""

    async def send(self, message: EmailMessage) -> None:
        """Deliver `message` or raise `EmailDeliveryFailed`."""
        ...


# --- building messages ------------------------------------------------------------------------


def render_email(
    to: str | Sequence[str],
    subject: str,
    text: str,
    html: str | None = None,
    *,
    values: Mapping[str, object] | None = None,
    reply_to: str | None = None,
) -> EmailMessage:
    """A transactional email: a plain-text body, plus an HTML alternative when `html` is given.

    `subject`, `text` and `html` are `string.Template` templates (`$name` / `${name}`; `$$` is a
    literal `$`) filled from `values`; a missing value raises `KeyError`. Values are inserted
    as-is into the subject and text and HTML-escaped into the HTML part. No `From` header is set
    here: the sender adds its configured From address (set one yourself to override it).
    A subject containing a line break raises `ValueError` (no header injection).
    """
    values = values or {}
    recipients = [to] if isinstance(to, str) else list(to)
    if not recipients:
        raise ValueError("an email needs at least one recipient")
    message = EmailMessage()
    message["To"] = ", ".join(recipients)
    message["Subject"] = Template(subject).substitute(values)
    if reply_to is not None:
        message["Reply-To"] = reply_to
    message.set_content(Template(text).substitute(values))
    if html is not None:
        escaped = {key: html_module.escape(str(value), quote=True) for key, value in values.items()}
        message.add_alternative(Template(html).substitute(escaped), subtype="html")
    return message


def _completed(message: EmailMessage, from_address: str) -> EmailMessage:
    """A copy of `message` with From, Date and Message-ID filled in where missing."""
    message = copy.deepcopy(message)
    if message["To"] is None:
        raise ValueError("an email needs a To header")
    if message["From"] is None:
        message["From"] = from_address
    if message["Date"] is None:
        message["Date"] = format_datetime(datetime.now(UTC))
    if message["Message-ID"] is None:
        message["Message-ID"] = make_msgid(domain=_domain_of(str(message["From"])))
    return message


def _domain_of(address: str) -> str:
    domain = address.rpartition("@")[2].strip(" >")
    return domain or "ehb.localhost"


# --- SMTP -------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class SmtpEmailSender:
    """Delivers through an SMTP server with aiosmtplib, one connection per message.

    `implicit_tls` connects over TLS from the start (SMTPS, usually port 465); otherwise
    `starttls` decides the upgrade: True requires STARTTLS (fails if the server lacks it), False
    never upgrades, None upgrades when the server offers it. `username`/`password` enable AUTH.
    `tls_context` overrides certificate checking (e.g. a private CA); certificates are verified
    by default. The password never appears in `repr()` or in errors.
    """

    host: str
    port: int
    from_address: str = DEFAULT_FROM
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    starttls: bool | None = None
    implicit_tls: bool = False
    timeout_seconds: float = 10.0
    tls_context: ssl.SSLContext | None = field(default=None, repr=False, compare=False)

    async def send(self, message: EmailMessage) -> None:
        """Deliver `message` to every To/Cc/Bcc recipient or raise `EmailDeliveryFailed`."""
        complete = _completed(message, self.from_address)
        try:
            await aiosmtplib.send(
                complete,
                hostname=self.host,
                port=self.port,
                username=self.username,
                password=self.password,
                use_tls=self.implicit_tls,
                start_tls=False if self.implicit_tls else self.starttls,
                timeout=self.timeout_seconds,
                tls_context=self.tls_context,
            )
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as error:
            raise EmailDeliveryFailed(
                f"could not deliver email through SMTP server {self.host}:{self.port}: "
                f"{type(error).__name__}: {self._redacted(str(error))}"
            ) from error

    def _redacted(self, text: str) -> str:
        """`text` without the password (a server could echo anything back)."""
        if self.password:
            text = text.replace(self.password, "***")
        return text


def parse_smtp_url(
    url: str, *, from_address: str = DEFAULT_FROM, timeout_seconds: float = 10.0
) -> SmtpEmailSender:
    """An `SmtpEmailSender` from `smtp://[user[:password]@]host[:port][?starttls=1|0]` or
    `smtps://[user[:password]@]host[:port]` (implicit TLS).

    Default ports: 465 for smtps, 587 for smtp with `starttls=1`, else 25. Without `starttls`,
    STARTTLS is used when the server offers it. Percent-encode special characters in the user
    and password. `timeout` (seconds) may also be given as a query parameter. Raises
    `ValueError` (never showing the password) for anything else.
    """
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("smtp", "smtps"):
        raise ValueError(f"EHB_SMTP_URL must start with smtp:// or smtps://, not {scheme!r}")
    if not parts.hostname:
        raise ValueError("EHB_SMTP_URL has no host")
    try:
        explicit_port = parts.port
    except ValueError:
        raise ValueError("EHB_SMTP_URL has an invalid port") from None
    starttls: bool | None = None
    for name, raw in parse_qsl(parts.query, keep_blank_values=True):
        if name == "starttls":
            if scheme == "smtps":
                raise ValueError("starttls makes no sense with smtps:// (already TLS)")
            starttls = _flag(name, raw)
        elif name == "timeout":
            try:
                timeout_seconds = float(raw)
            except ValueError:
                raise ValueError(f"EHB_SMTP_URL timeout must be a number, not {raw!r}") from None
            if timeout_seconds <= 0:
                raise ValueError("EHB_SMTP_URL timeout must be positive")
        else:
            raise ValueError(f"EHB_SMTP_URL has an unknown parameter {name!r}")
    if explicit_port is not None:
        port = explicit_port
    elif scheme == "smtps":
        port = 465
    else:
        port = 587 if starttls else 25
    return SmtpEmailSender(
        host=parts.hostname,
        port=port,
        from_address=from_address,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password is not None else None,
        starttls=starttls,
        implicit_tls=scheme == "smtps",
        timeout_seconds=timeout_seconds,
    )


def _flag(name: str, raw: str) -> bool:
    lowered = raw.lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"EHB_SMTP_URL parameter {name} must be 1 or 0, not {raw!r}")


# --- development mailbox ----------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class MailboxEmailSender:
    """Writes each message as `<directory>/<UTC timestamp>-<random>.eml` (RFC 5322 bytes, readable
    by any mail client or `python -m email`). The file appears atomically (written aside, then
    renamed), so a watcher never reads half a message. For development and tests only."""

    directory: Path
    from_address: str = DEFAULT_FROM

    async def send(self, message: EmailMessage) -> None:
        """Write `message` into the mailbox directory or raise `EmailDeliveryFailed`."""
        complete = _completed(message, self.from_address)
        try:
            path = await asyncio.to_thread(self._write, complete.as_bytes())
        except OSError as error:
            raise EmailDeliveryFailed(
                f"could not write email into {self.directory}: {error.strerror or error}"
            ) from error
        logger.info("email %r to %s written to %s", complete["Subject"], complete["To"], path)

    def messages(self) -> list[Path]:
        """The .eml files in the mailbox, oldest first."""
        if not self.directory.is_dir():
            return []
        return sorted(self.directory.glob("*.eml"))

    def _write(self, data: bytes) -> Path:
        self.directory.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        path = self.directory / f"{stamp}-{uuid.uuid4().hex[:8]}.eml"
        partial = path.with_suffix(".eml.partial")
        partial.write_bytes(data)
        os.replace(partial, path)
        return path


# --- selection --------------------------------------------------------------------------------


def email_sender_from_settings(settings: Settings) -> EmailSender:
    """SMTP when `EHB_SMTP_URL` is set, else the mailbox in `<EHB_DATA_DIR>/mail/`.

    Raises `ValueError` for a malformed `EHB_SMTP_URL`. Production without `EHB_SMTP_URL` still
    gets the mailbox (emails go nowhere a user can see), with a warning in the log.
    """
    if settings.smtp_url is not None and settings.smtp_url.get_secret_value():
        return parse_smtp_url(
            settings.smtp_url.get_secret_value(),
            from_address=settings.mail_from,
            timeout_seconds=settings.smtp_timeout_seconds,
        )
    directory = settings.data_dir / "mail"
    if settings.is_production:
        logger.warning("EHB_SMTP_URL is not set: emails are written to %s, not sent", directory)
    return MailboxEmailSender(directory=directory, from_address=settings.mail_from)
