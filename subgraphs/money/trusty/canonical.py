"""What trusty signers sign: a proposal's canonical content, and Ed25519 keys and signatures.

The canonical content (docs/money.md, "Canonical content") is the UTF-8 JSON object with keys
sorted at every level and no whitespace (what `orjson.dumps(..., option=OPT_SORT_KEYS)` prints):

    {"amount":1500,"createdAt":"2026-11-29T04:05:06.123456Z","currency":"EUR",
     "destination":{"id":"<uuid>","type":"WALLET"},"expiresAt":"2026-12-06T04:05:06.123456Z",
     "memo":"Rent","proposalId":"<uuid>","source":"HOT","threshold":2,"timeLockSeconds":0,
     "trustyWalletId":"<uuid>","type":"ehb.trusty.transfer.v1"}

An approval is an Ed25519 signature over exactly those bytes by the approving signer's
registered key. Keys and signatures travel as base64 (standard or URL-safe, padding optional) of
their raw bytes (32 and 64); a public key may also be given as a PEM SubjectPublicKeyInfo.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import UTC, datetime

import orjson
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    PublicFormat,
    load_pem_public_key,
)

CONTENT_TYPE = "ehb.trusty.transfer.v1"
PUBLIC_KEY_BYTES = 32
SIGNATURE_BYTES = 64


class InvalidKeyEncoding(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class ProposalContent:
    proposal_id: str
    trusty_wallet_id: str
    source: str  # "HOT" | "VAULT"
    destination_type: str  # "WALLET" | "TRUSTY_HOT" | "TRUSTY_VAULT"
    destination_id: str
    amount: int
    currency: str
    memo: str
    threshold: int
    time_lock_seconds: int
    created_at: datetime
    expires_at: datetime

    def canonical(self) -> bytes:
        return orjson.dumps(
            {
                "amount": self.amount,
                "createdAt": canonical_timestamp(self.created_at),
                "currency": self.currency,
                "destination": {"id": self.destination_id, "type": self.destination_type},
                "expiresAt": canonical_timestamp(self.expires_at),
                "memo": self.memo,
                "proposalId": self.proposal_id,
                "source": self.source,
                "threshold": self.threshold,
                "timeLockSeconds": self.time_lock_seconds,
                "trustyWalletId": self.trusty_wallet_id,
                "type": CONTENT_TYPE,
            },
            option=orjson.OPT_SORT_KEYS,
        )


def canonical_timestamp(moment: datetime) -> str:
    """UTC, microseconds, `Z`: what every database gives back for a stored timestamp."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def decode_base64(text: str) -> bytes:
    """Standard or URL-safe base64, padding optional, surrounding whitespace ignored."""
    cleaned = text.strip().replace("-", "+").replace("_", "/")
    cleaned += "=" * (-len(cleaned) % 4)
    try:
        return base64.b64decode(cleaned, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise InvalidKeyEncoding("not base64") from exc


def encode_base64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def normalise_public_key(text: str) -> str:
    """The key's raw 32 bytes as unpadded base64url; InvalidKeyEncoding when it is no Ed25519
    public key."""
    stripped = text.strip()
    if stripped.startswith("-----BEGIN"):
        try:
            loaded = load_pem_public_key(stripped.encode("ascii"))
        except (ValueError, UnicodeEncodeError) as exc:
            raise InvalidKeyEncoding("not a PEM public key") from exc
        if not isinstance(loaded, Ed25519PublicKey):
            raise InvalidKeyEncoding("the PEM key is not an Ed25519 key")
        return encode_base64url(loaded.public_bytes(Encoding.Raw, PublicFormat.Raw))
    raw = decode_base64(stripped)
    if len(raw) != PUBLIC_KEY_BYTES:
        raise InvalidKeyEncoding(
            f"an Ed25519 public key has {PUBLIC_KEY_BYTES} bytes, not {len(raw)}"
        )
    try:
        Ed25519PublicKey.from_public_bytes(raw)
    except ValueError as exc:
        raise InvalidKeyEncoding("not a valid Ed25519 public key") from exc
    return encode_base64url(raw)


def signature_bytes(text: str) -> bytes:
    raw = decode_base64(text)
    if len(raw) != SIGNATURE_BYTES:
        raise InvalidKeyEncoding(
            f"an Ed25519 signature has {SIGNATURE_BYTES} bytes, not {len(raw)}"
        )
    return raw


def signature_verifies(public_key: str, signature: bytes, message: bytes) -> bool:
    """Whether `signature` is `public_key`'s (normalised form) Ed25519 signature of `message`."""
    key = Ed25519PublicKey.from_public_bytes(decode_base64(public_key))
    try:
        key.verify(signature, message)
    except InvalidSignature:
        return False
    return True
