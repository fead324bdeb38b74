"""Webhook signatures: HMAC-SHA256 over `<timestamp>.` + the raw body.

Header `EHB-Signature: t=<unix seconds>,v1=<hex digest>` (several `v1=` allowed, for secret
rotation on the provider's side). A signature is good when one `v1` equals the HMAC with our
secret (constant-time comparison) and `t` is within the tolerance of our clock, both ways.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from typing import Final

SIGNATURE_HEADER: Final = "EHB-Signature"


class SignatureRejected(Exception):
    """Why a webhook is refused (the message is recorded, never the body)."""


def sign(secret: bytes, body: bytes, timestamp: int) -> str:
    """The header value a provider sends with `body` at `timestamp`."""
    digest = hmac.new(secret, f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify(
    secret: bytes,
    body: bytes,
    header: str | None,
    *,
    tolerance_seconds: int,
    now: float | None = None,
) -> int:
    """The signed timestamp when `header` signs `body`; SignatureRejected otherwise."""
    if not header:
        raise SignatureRejected("missing EHB-Signature header")
    timestamp: int | None = None
    candidates: list[str] = []
    for part in header.split(","):
        key, _, value = part.strip().partition("=")
        if key == "t" and value.isdigit():
            timestamp = int(value)
        elif key == "v1" and value:
            candidates.append(value)
    if timestamp is None or not candidates:
        raise SignatureRejected("malformed EHB-Signature header (want t=...,v1=...)")
    expected = hmac.new(secret, f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    if not any(hmac.compare_digest(expected, candidate) for candidate in candidates):
        raise SignatureRejected("signature does not match")
    current = time.time() if now is None else now
    if abs(current - timestamp) > tolerance_seconds:
        raise SignatureRejected(f"timestamp outside the {tolerance_seconds} s tolerance")
    return timestamp
