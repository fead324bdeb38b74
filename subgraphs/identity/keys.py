"""identity's signing keys (Ed25519 through joserfc) and the JWKS it publishes.

- Production: `EHB_IDENTITY_SIGNING_KEYS`, a JWKS JSON document with private keys, newest first.
  The first key signs; every key listed is published. To rotate, put the new key first and keep
  the old one listed until every token it signed has expired (15 minutes + 30 s), then drop it.
- Development: keys live in `<data_dir>/identity-keys/<created>-<kid>.json` (private JWKs, mode
  0600). The first run generates one; `rotate()` adds a newer one. The newest signs; an older key
  stays published until `ACCESS_TOKEN_TTL + skew` after the next newer key took over, then its
  file is removed.

`GET /.well-known/jwks.json` (see app.py) serves `public_jwks()`: public parts only.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from joserfc.jwk import KeyParameters, KeySet, OKPKey

from subgraphs.kernel.auth import ACCESS_TOKEN_ALGORITHM, CLOCK_SKEW_SECONDS
from subgraphs.kernel.settings import Settings

ACCESS_TOKEN_TTL_SECONDS = 15 * 60
KEY_PARAMETERS: KeyParameters = {"use": "sig", "alg": ACCESS_TOKEN_ALGORITHM}


def generate_signing_key() -> OKPKey:
    return OKPKey.generate_key("Ed25519", parameters=KEY_PARAMETERS, private=True, auto_kid=True)


def _import_private(data: dict[str, Any]) -> OKPKey:
    key = OKPKey.import_key({"use": "sig", "alg": ACCESS_TOKEN_ALGORITHM, **data})
    if not key.is_private or key.curve_name != "Ed25519":
        raise ValueError("identity signing keys must be private Ed25519 (OKP) keys")
    key.ensure_kid()
    return key


@dataclass(frozen=True, slots=True)
class _DatedKey:
    created_at: float
    key: OKPKey


class SigningKeys:
    """The keys identity signs with (newest first) and publishes."""

    def __init__(self, keys: list[OKPKey], *, directory: Path | None = None) -> None:
        if not keys:
            raise ValueError("identity needs at least one signing key")
        self._keys = keys
        self._directory = directory

    @classmethod
    def from_jwks(cls, document: str) -> SigningKeys:
        """Keys from a JWKS document with private keys, newest first (EHB_IDENTITY_SIGNING_KEYS)."""
        parsed = json.loads(document)
        return cls([_import_private(item) for item in parsed["keys"]])

    @classmethod
    def from_directory(cls, directory: Path, *, now: float | None = None) -> SigningKeys:
        """Development keys from `directory`, generating the first one when there is none."""
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not any(directory.glob("*.json")):
            _write_key(directory, generate_signing_key(), time.time() if now is None else now)
        return cls(_published_from(directory, now), directory=directory)

    @classmethod
    def from_settings(cls, settings: Settings) -> SigningKeys:
        if settings.identity_signing_keys is not None:
            return cls.from_jwks(settings.identity_signing_keys.get_secret_value())
        if settings.is_production:
            raise RuntimeError("production needs EHB_IDENTITY_SIGNING_KEYS (no generated keys)")
        return cls.from_directory(settings.data_dir / "identity-keys")

    @property
    def signing_key(self) -> OKPKey:
        return self._keys[0]

    def key_set(self) -> KeySet:
        return KeySet(list(self._keys))

    def public_jwks(self) -> dict[str, Any]:
        return {"keys": [key.as_dict(private=False) for key in self._keys]}

    def rotate(self, *, now: float | None = None) -> OKPKey:
        """Development: a new signing key; older ones stay published until their tokens expire."""
        if self._directory is None:
            raise RuntimeError("keys from EHB_IDENTITY_SIGNING_KEYS rotate by changing the setting")
        moment = time.time() if now is None else now
        key = generate_signing_key()
        _write_key(self._directory, key, moment)
        self._keys = _published_from(self._directory, moment)
        return key

    def reload(self, *, now: float | None = None) -> None:
        """Development: drop keys whose every token has expired (and pick up new files)."""
        if self._directory is not None:
            self._keys = _published_from(self._directory, now)


def _write_key(directory: Path, key: OKPKey, created_at: float) -> None:
    path = directory / f"{int(created_at * 1000):015d}-{key.kid}.json"
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        json.dump(key.as_dict(private=True), file)


def _published_from(directory: Path, now: float | None) -> list[OKPKey]:
    """Newest first; a key is kept while tokens it signed may still be valid."""
    moment = time.time() if now is None else now
    dated: list[tuple[_DatedKey, Path]] = []
    for path in directory.glob("*.json"):
        created_ms, _, _ = path.stem.partition("-")
        key = _import_private(json.loads(path.read_text(encoding="utf-8")))
        dated.append((_DatedKey(int(created_ms) / 1000, key), path))
    dated.sort(key=lambda item: item[0].created_at, reverse=True)
    kept: list[OKPKey] = []
    grace = ACCESS_TOKEN_TTL_SECONDS + CLOCK_SKEW_SECONDS
    successor_since: float | None = None
    for entry, path in dated:
        if successor_since is not None and moment > successor_since + grace:
            path.unlink(missing_ok=True)
            continue
        kept.append(entry.key)
        successor_since = entry.created_at
    return kept
