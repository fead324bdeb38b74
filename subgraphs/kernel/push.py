"""Browser push: Web Push (RFC 8030) with VAPID (RFC 8292) and aes128gcm payload encryption
(RFC 8291), through pywebpush.

    keys = vapid_keys_from_settings(PushSettings(), data_dir=..., production=...)  # lifespan
    sender = WebPushSender(http=aiohttp_session, keys=keys)
    await sender.send(PushTarget(endpoint, p256dh, auth), {"title": "...", "body": "..."})

VAPID keys: `EHB_VAPID_PRIVATE_KEY` (a PEM private key, or the raw key in base64url) in
production; in development a key is generated on first run into
`<EHB_DATA_DIR>/vapid/private_key.pem` (0600) and reused; production without a key has no push.
Browsers need the public key
(`VapidKeys.application_server_key`) to subscribe.

A failure raises `PushDeliveryFailed`; `gone` means the push service says the subscription no
longer exists (HTTP 404/410): drop it. `permanent` means a retry cannot help.

Endpoints are URLs a browser hands us, so in production the server must not be made to post to
its own network (SSRF): `check_push_endpoint` wants https and a host name (not an IP literal)
that resolves only to public addresses. Registration calls it, and so does `WebPushSender.send`
when `public_endpoints_only` (again at each send: a name may resolve elsewhere later), for a
clear error. The connection itself goes through `push_http_session(public_only=True)`, whose
resolver (`PublicAddressResolver`) refuses non-public addresses in the very resolution aiohttp
connects with: a name re-pointed between the check and the connect (DNS rebinding) still cannot
reach the server's own network.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import os
import socket
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import aiohttp
import orjson
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import ThreadedResolver
from cryptography.hazmat.primitives import serialization
from py_vapid import Vapid
from py_vapid.utils import b64urlencode
from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict
from pywebpush import WebPushException, webpush_async

__all__ = [
    "PublicAddressResolver",
    "PushDeliveryFailed",
    "PushEndpointRefused",
    "PushSettings",
    "PushTarget",
    "VapidKeys",
    "WebPushSender",
    "check_push_endpoint",
    "push_http_session",
    "vapid_keys_from_settings",
]

logger = logging.getLogger("subgraphs.kernel.push")

KEY_FILE = Path("vapid") / "private_key.pem"


class PushDeliveryFailed(Exception):
    def __init__(self, message: str, *, gone: bool = False, permanent: bool = False) -> None:
        super().__init__(message)
        self.gone = gone
        self.permanent = permanent or gone


class PushEndpointRefused(ValueError):
    """An endpoint the server must not post to; `unresolved` when its name did not resolve
    (perhaps for now only)."""

    def __init__(self, message: str, *, unresolved: bool = False) -> None:
        super().__init__(message)
        self.unresolved = unresolved


IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def _internal(address: IPAddress) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return (
        address.is_loopback
        or address.is_private
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or not address.is_global
    )


class PublicAddressResolver(AbstractResolver):
    """aiohttp's threaded resolver, refusing (`PushEndpointRefused`) a host with any non-public
    address among its answers. aiohttp connects to the addresses its resolver returns, so the
    addresses checked are the addresses used."""

    def __init__(self) -> None:
        self._resolver = ThreadedResolver()

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        found = await self._resolver.resolve(host, port, family)
        if any(_internal(ipaddress.ip_address(entry["host"].split("%", 1)[0])) for entry in found):
            raise PushEndpointRefused(
                f"The push endpoint's host {host} resolves to a non-public address."
            )
        return found

    async def close(self) -> None:
        await self._resolver.close()


def push_http_session(*, public_only: bool) -> aiohttp.ClientSession:
    """The HTTP session push services are posted through; `public_only` (production) connects
    only to public addresses, whatever a host resolves to at that moment."""
    connector = aiohttp.TCPConnector(resolver=PublicAddressResolver()) if public_only else None
    return aiohttp.ClientSession(connector=connector, headers={"User-Agent": "ehb5-push"})


async def check_push_endpoint(endpoint: str) -> None:
    """Refuse (`PushEndpointRefused`) an endpoint that is not https, names its host by IP
    address, or whose host resolves (the event loop's getaddrinfo) to any loopback, private,
    link-local, multicast, reserved, unspecified or otherwise non-global address."""
    try:
        parts = urlsplit(endpoint)
        host, port = parts.hostname, parts.port
    except ValueError as error:
        raise PushEndpointRefused("A push endpoint must be a valid URL.") from error
    if parts.scheme != "https" or not host:
        raise PushEndpointRefused("A push endpoint must be an https:// URL.")
    try:
        ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        raise PushEndpointRefused("A push endpoint must name its host, not an IP address.")
    loop = asyncio.get_running_loop()
    try:
        found = await loop.getaddrinfo(host, port or 443, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as error:
        raise PushEndpointRefused(
            f"The push endpoint's host {host} does not resolve.", unresolved=True
        ) from error
    addresses = {ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in found}
    if not addresses:
        raise PushEndpointRefused(
            f"The push endpoint's host {host} does not resolve.", unresolved=True
        )
    if any(_internal(address) for address in addresses):
        raise PushEndpointRefused(
            f"The push endpoint's host {host} resolves to a non-public address."
        )


class PushSettings(BaseSettings):
    """`EHB_VAPID_PRIVATE_KEY`, `EHB_VAPID_SUBJECT` (a `mailto:` or `https:` contact the push
    services may use), `EHB_VAPID_TTL_SECONDS`, `EHB_VAPID_TIMEOUT_SECONDS`."""

    model_config = SettingsConfigDict(env_prefix="EHB_VAPID_", extra="ignore")

    private_key: SecretStr | None = None
    subject: str = "mailto:no-reply@ehb.localhost"
    ttl_seconds: int = 86_400
    timeout_seconds: float = 10.0


@dataclass(frozen=True)
class VapidKeys:
    vapid: Vapid = field(repr=False)
    subject: str

    @property
    def application_server_key(self) -> str:
        """The public key as browsers want it (`applicationServerKey`): uncompressed P-256
        point, base64url without padding."""
        raw = self.vapid.public_key.public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        key: str = b64urlencode(raw)
        return key


def vapid_keys_from_settings(
    settings: PushSettings, *, data_dir: Path, production: bool
) -> VapidKeys | None:
    """The configured VAPID key; in development, the one in the data dir (made on first run).
    Production without `EHB_VAPID_PRIVATE_KEY` has no push at all (None, with a warning): a
    generated key would change with every fresh disk and silently break every browser
    subscription."""
    configured = settings.private_key.get_secret_value() if settings.private_key else ""
    if configured:
        text = configured.strip()
        vapid = Vapid.from_pem(text.encode()) if text.startswith("-----") else Vapid.from_raw(text)
        return VapidKeys(vapid=vapid, subject=settings.subject)
    if production:
        logger.warning("EHB_VAPID_PRIVATE_KEY is not set: browser push is off")
        return None
    path = data_dir / KEY_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        vapid = Vapid()
        vapid.generate_keys()
        partial = path.with_suffix(".partial")
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as file:
            file.write(vapid.private_pem())
        os.replace(partial, path)
        logger.info("generated a development VAPID key in %s", path)
    return VapidKeys(vapid=Vapid.from_pem(path.read_bytes()), subject=settings.subject)


@dataclass(frozen=True, slots=True)
class PushTarget:
    """A browser's subscription (`PushSubscription.toJSON()`): endpoint and its two keys."""

    endpoint: str
    p256dh: str
    auth: str


@dataclass(frozen=True, kw_only=True)
class WebPushSender:
    http: aiohttp.ClientSession = field(repr=False)
    keys: VapidKeys
    ttl_seconds: int = 86_400
    timeout_seconds: float = 10.0
    # Production: post only to https endpoints on public addresses (`check_push_endpoint`).
    public_endpoints_only: bool = False

    async def send(self, target: PushTarget, payload: dict[str, Any]) -> None:
        """Encrypt `payload` (as JSON) for `target` and post it to its push service."""
        if self.public_endpoints_only:
            try:
                await check_push_endpoint(target.endpoint)
            except PushEndpointRefused as error:
                raise PushDeliveryFailed(
                    f"refused to post to the endpoint: {error}", permanent=not error.unresolved
                ) from error
        subscription: dict[str, Any] = {
            "endpoint": target.endpoint,
            "keys": {"p256dh": target.p256dh, "auth": target.auth},
        }
        try:
            await webpush_async(
                subscription,
                data=orjson.dumps(payload).decode(),
                vapid_private_key=self.keys.vapid,
                vapid_claims={"sub": self.keys.subject},
                ttl=self.ttl_seconds,
                timeout=aiohttp.ClientTimeout(total=self.timeout_seconds),
                aiohttp_session=self.http,
            )
        except PushEndpointRefused as error:  # from PublicAddressResolver, at connect time
            raise PushDeliveryFailed(
                f"refused to post to the endpoint: {error}", permanent=True
            ) from error
        except WebPushException as error:
            status = getattr(error.response, "status", None)
            gone = status in (404, 410)
            permanent = status is not None and 400 <= status < 500 and status not in (408, 429)
            raise PushDeliveryFailed(
                f"push service answered HTTP {status}" if status else f"push failed: {error}",
                gone=gone,
                permanent=permanent,
            ) from error
        except TimeoutError as error:
            raise PushDeliveryFailed(
                f"push service gave no answer within {self.timeout_seconds:g} s"
            ) from error
        except (aiohttp.ClientError, OSError) as error:
            raise PushDeliveryFailed(f"push service unreachable: {type(error).__name__}") from error
        except (ValueError, TypeError) as error:  # malformed subscription keys
            raise PushDeliveryFailed(
                f"the subscription cannot be used: {error}", permanent=True
            ) from error
