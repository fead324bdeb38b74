"""Sensitive money fields encrypted at rest: AES-256-GCM with rotating keys.

What is encrypted: bank account numbers and provider tokens (payments), signer metadata
(trusty wallets), anything else a model declares with `EncryptedText`.

Declaring an encrypted column (the usual way)::

    from subgraphs.money.encryption import EncryptedText

    class BankAccount(Base):
        __tablename__ = "money_bank_accounts"
        account_number: Mapped[str] = mapped_column(
            EncryptedText("money_bank_accounts.account_number")
        )

The model reads and writes plain `str` (None stays NULL); the database holds
`v1.<kid>.<base64url(nonce || ciphertext || tag)>` in a TEXT column. The purpose string
("<table>.<column>" by convention) is the associated data: a value copied into another column
(or tampered with in any way, kid included) fails to decrypt instead of reading as something
else. Equality filters on encrypted columns are impossible (every encryption draws a fresh
nonce); keep a separate non-secret column (e.g. `last4`) for lookups.

Explicit helpers, for a value bound to more than its column (e.g. to its row id)::

    stored = active_field_keys().encrypt(plaintext, purpose=f"money_x.secret:{row_id}")
    plaintext = active_field_keys().decrypt(stored, purpose=f"money_x.secret:{row_id}")

Values stored this way are NOT re-encrypted by `ehb money-keys reencrypt` (it only knows
`EncryptedText` columns, whose purpose it reads from the model).

Keys (`FieldKeys.from_settings`):
- Production: `EHB_MONEY_ENCRYPTION_KEYS`, comma-separated `<kid>:<base64url 32-byte key>`
  entries, the first one active (it encrypts); every listed key decrypts. A kid is 1-32 of
  `A-Za-z0-9_-`. `ehb money-keys generate` prints a new entry. Missing in production: the money
  app refuses to start.
- Development: `<data_dir>/money-keys/<created-ms>-<kid>.key` (mode 0600, never committed: the
  data dir is git-ignored). The first run generates one; the newest file is active.

Rotation: make a new key active (production: put the new entry first and keep the old ones
listed; development: `ehb money-keys rotate` writes a new key file), then
`ehb money-keys reencrypt` (development `rotate` does it at once) re-encrypts every stored
`EncryptedText` value whose kid is not the active one (`key_rotation.reencrypt_stored_values`).
Once it reports 0 values left under old keys, the old keys may be dropped.

Process wiring: the money app's lifespan calls `install_field_keys(FieldKeys.from_settings(...))`;
`EncryptedText` uses the installed keys. Installing keys adds to the decrypting set (kids
already known stay known) and makes the new active key the encrypting one, so several money
apps of one process (tests) can read each other's rows.

Failures are internal errors, never user input: `UnknownEncryptionKey` (a kid no configured key
has: a key was dropped too early), `DecryptionFailed` (tampered value, wrong column, or a
different key under the same kid), `FieldKeysMissing` (nothing installed).
"""

from __future__ import annotations

import base64
import binascii
import os
import re
import secrets
import time
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy import Text
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator
from starlette.applications import Starlette

from subgraphs.kernel.settings import Settings

FORMAT_VERSION = "v1"
KEY_BYTES = 32
NONCE_BYTES = 12
KEYS_DIRECTORY = "money-keys"
_KID = re.compile(r"^[A-Za-z0-9_-]{1,32}$")


class EncryptionError(RuntimeError):
    """Base of field-encryption failures (internal: they never reach a client as user input)."""


class FieldKeysMissing(EncryptionError):
    pass


class UnknownEncryptionKey(EncryptionError):
    def __init__(self, kid: str) -> None:
        super().__init__(
            f"no configured money encryption key has kid {kid!r} (was it removed from "
            "EHB_MONEY_ENCRYPTION_KEYS before `ehb money-keys reencrypt`?)"
        )
        self.kid = kid


class DecryptionFailed(EncryptionError):
    pass


class MalformedEncryptedValue(EncryptionError):
    pass


class EncryptionSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="EHB_MONEY_", extra="ignore")

    # `<kid>:<base64url key>,...`, first active. Unset: development keys in the data dir.
    encryption_keys: SecretStr | None = None


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64decode(text: str) -> bytes:
    padded = text + "=" * (-len(text) % 4)
    try:
        return base64.b64decode(padded, altchars=b"-_", validate=True)
    except (binascii.Error, ValueError) as exc:
        raise MalformedEncryptedValue("not base64url") from exc


def _associated_data(purpose: str, kid: str) -> bytes:
    return f"ehb-money-field|{FORMAT_VERSION}|{kid}|{purpose}".encode()


@dataclass(frozen=True, slots=True)
class FieldKey:
    kid: str
    secret: bytes

    def __post_init__(self) -> None:
        if not _KID.match(self.kid):
            raise ValueError(f"a key id is 1-32 of A-Za-z0-9_-, got {self.kid!r}")
        if len(self.secret) != KEY_BYTES:
            raise ValueError(f"key {self.kid}: expected {KEY_BYTES} bytes, got {len(self.secret)}")

    def __repr__(self) -> str:  # never print the secret
        return f"FieldKey(kid={self.kid!r})"

    @classmethod
    def generate(cls) -> FieldKey:
        return cls(kid=secrets.token_hex(4), secret=AESGCM.generate_key(bit_length=256))

    @classmethod
    def parse(cls, entry: str) -> FieldKey:
        """`<kid>:<base64url key>` (one entry of EHB_MONEY_ENCRYPTION_KEYS)."""
        kid, separator, encoded = entry.strip().partition(":")
        if not separator:
            raise ValueError("a money encryption key entry is '<kid>:<base64url 32-byte key>'")
        try:
            secret = _b64decode(encoded.strip())
        except MalformedEncryptedValue as exc:
            raise ValueError(f"key {kid}: the key is not base64url") from exc
        return cls(kid=kid, secret=secret)

    def entry(self) -> str:
        return f"{self.kid}:{_b64encode(self.secret)}"


def kid_of(stored: str) -> str:
    """The key id of a stored value (MalformedEncryptedValue when it is not one)."""
    version, _, rest = stored.partition(".")
    kid, separator, _ = rest.partition(".")
    if version != FORMAT_VERSION or not separator or not _KID.match(kid):
        raise MalformedEncryptedValue("not a v1 encrypted money field")
    return kid


class FieldKeys:
    """The active key (encrypts) and every key that decrypts, by kid."""

    def __init__(self, keys: list[FieldKey]) -> None:
        if not keys:
            raise ValueError("money field encryption needs at least one key")
        kids = [key.kid for key in keys]
        if len(set(kids)) != len(kids):
            raise ValueError(f"duplicate money encryption key ids: {', '.join(kids)}")
        self.active = keys[0]
        self._by_kid = {key.kid: key for key in keys}

    @property
    def kids(self) -> list[str]:
        return list(self._by_kid)

    def encrypt(self, plaintext: str, *, purpose: str) -> str:
        nonce = os.urandom(NONCE_BYTES)
        sealed = AESGCM(self.active.secret).encrypt(
            nonce, plaintext.encode("utf-8"), _associated_data(purpose, self.active.kid)
        )
        return f"{FORMAT_VERSION}.{self.active.kid}.{_b64encode(nonce + sealed)}"

    def decrypt(self, stored: str, *, purpose: str) -> str:
        kid = kid_of(stored)
        key = self._by_kid.get(kid)
        if key is None:
            raise UnknownEncryptionKey(kid)
        blob = _b64decode(stored.split(".", 2)[2])
        if len(blob) < NONCE_BYTES + 16:
            raise MalformedEncryptedValue("encrypted money field too short")
        try:
            plain = AESGCM(key.secret).decrypt(
                blob[:NONCE_BYTES], blob[NONCE_BYTES:], _associated_data(purpose, kid)
            )
        except InvalidTag as exc:
            raise DecryptionFailed(
                f"encrypted value for {purpose} failed authentication (tampered, moved from "
                "another column, or a different key under the same kid)"
            ) from exc
        return plain.decode("utf-8")

    def reencrypt(self, stored: str, *, purpose: str) -> str | None:
        """`stored` under the active key, or None when it already is."""
        if kid_of(stored) == self.active.kid:
            return None
        return self.encrypt(self.decrypt(stored, purpose=purpose), purpose=purpose)

    def merged_with(self, older: FieldKeys) -> FieldKeys:
        """These keys (ours active) plus `older`'s kids we do not have."""
        extra = [key for kid, key in older._by_kid.items() if kid not in self._by_kid]
        return FieldKeys([*self._by_kid.values(), *extra])

    @classmethod
    def from_setting(cls, value: str) -> FieldKeys:
        entries = [entry for entry in value.split(",") if entry.strip()]
        return cls([FieldKey.parse(entry) for entry in entries])

    @classmethod
    def from_directory(cls, directory: Path) -> FieldKeys:
        """Development keys (newest active), generating the first one when there is none."""
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not any(directory.glob("*.key")):
            write_key_file(directory, FieldKey.generate())
        files = sorted(directory.glob("*.key"), key=lambda path: path.name, reverse=True)
        keys = []
        for path in files:
            _, _, kid = path.stem.partition("-")
            keys.append(FieldKey(kid=kid, secret=_b64decode(path.read_text("ascii").strip())))
        return cls(keys)

    @classmethod
    def from_settings(
        cls, settings: Settings, encryption: EncryptionSettings | None = None
    ) -> FieldKeys:
        encryption = encryption or EncryptionSettings()
        if encryption.encryption_keys is not None:
            return cls.from_setting(encryption.encryption_keys.get_secret_value())
        if settings.is_production:
            raise FieldKeysMissing(
                "production needs EHB_MONEY_ENCRYPTION_KEYS (`ehb money-keys generate` makes one)"
            )
        return cls.from_directory(settings.data_dir / KEYS_DIRECTORY)


def write_key_file(directory: Path, key: FieldKey, *, created_at: float | None = None) -> Path:
    """A development key file, newer than every existing one (its name sorts last)."""
    moment = time.time() if created_at is None else created_at
    existing = [path.name.partition("-")[0] for path in directory.glob("*.key")]
    created_ms = max([int(moment * 1000), *(int(name) + 1 for name in existing if name.isdigit())])
    path = directory / f"{created_ms:015d}-{key.kid}.key"
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as file:
        file.write(_b64encode(key.secret))
    return path


_installed: FieldKeys | None = None


def install_field_keys(keys: FieldKeys) -> None:
    """Make `keys` the process's field keys (see the module docstring: decrypting kids add up)."""
    global _installed
    _installed = keys if _installed is None else keys.merged_with(_installed)


def field_keys_lifespan(
    settings: Settings,
) -> Callable[[Starlette], AbstractAsyncContextManager[None]]:
    """A lifespan (for `create_subgraph_app(lifespan=...)`) installing keys from `settings`."""

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        install_field_keys(FieldKeys.from_settings(settings))
        yield

    return lifespan


def active_field_keys() -> FieldKeys:
    if _installed is None:
        raise FieldKeysMissing(
            "money field keys are not installed (the money app's lifespan installs them; "
            "scripts call install_field_keys(FieldKeys.from_settings(settings)))"
        )
    return _installed


class EncryptedText(TypeDecorator[str]):
    """A `str` column stored encrypted under `purpose` (see the module docstring)."""

    impl = Text
    cache_ok = True

    def __init__(self, purpose: str) -> None:
        super().__init__()
        self.purpose = purpose

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        return active_field_keys().encrypt(value, purpose=self.purpose)

    def process_result_value(self, value: str | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        return active_field_keys().decrypt(value, purpose=self.purpose)


__all__ = [
    "DecryptionFailed",
    "EncryptedText",
    "EncryptionError",
    "EncryptionSettings",
    "FieldKey",
    "FieldKeys",
    "FieldKeysMissing",
    "MalformedEncryptedValue",
    "UnknownEncryptionKey",
    "active_field_keys",
    "field_keys_lifespan",
    "install_field_keys",
    "kid_of",
    "write_key_file",
]
