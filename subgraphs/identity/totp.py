"""Time-based one-time passwords (RFC 6238, via pyotp) and MFA recovery codes.

Pure functions, no storage: the caller keeps, per user, the TOTP secret, the last accepted time
step (replay protection) and the hashes of the unused recovery codes.

Enrolment::

    secret = new_secret()
    uri = provisioning_uri(secret, user.email)          # otpauth://totp/EHB-5:ada@...?secret=...
    image = qr_code_data_url(uri)                       # data:image/svg+xml;... for <img src>
    codes = new_recovery_codes()                        # show once; store [hash_recovery_code(c)]

Login / confirmation::

    step = verify(secret, code, last_used_step=user.totp_last_step)
    if step is None: refuse
    else: user.totp_last_step = step                    # the same code can never be used again

    index = match_recovery_code(code, user.recovery_code_hashes)
    if index is not None: mark that hash used (e.g. set it to None), accept

The parameters are the authenticator-app defaults (SHA-1, 6 digits, 30-second steps): they are
what Google Authenticator, Authy, 1Password and friends implement without exception.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from collections.abc import Sequence
from datetime import datetime
from typing import Literal

import pyotp
import segno

__all__ = [
    "DIGITS",
    "RECOVERY_CODE_ALPHABET",
    "STEP_SECONDS",
    "current_step",
    "hash_recovery_code",
    "match_recovery_code",
    "new_recovery_codes",
    "new_secret",
    "normalise_recovery_code",
    "provisioning_uri",
    "qr_code_data_url",
    "verify",
]

STEP_SECONDS = 30
DIGITS = 6
# Accept the previous and the next step too (clock drift between server and phone, and a code
# typed just as it rolled over): RFC 6238 section 5.2 recommends at most one step either way.
WINDOW_STEPS = 1

# Crockford's base32 alphabet: digits and lower-case letters without i, l, o, u, so nothing is
# ambiguous when read aloud or copied from paper (and i/l/o typed anyway are read as 1/1/0).
RECOVERY_CODE_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
RECOVERY_CODE_GROUPS = 3
RECOVERY_CODE_GROUP_LENGTH = 4
_RECOVERY_CODE_LENGTH = RECOVERY_CODE_GROUPS * RECOVERY_CODE_GROUP_LENGTH
_CONFUSABLES = str.maketrans({"i": "1", "l": "1", "o": "0"})


# --- TOTP -------------------------------------------------------------------------------------


def new_secret() -> str:
    """A fresh TOTP secret: 160 random bits (RFC 4226's recommended length) as 32 base32
    characters without padding, the form authenticator apps accept."""
    return base64.b32encode(secrets.token_bytes(20)).decode("ascii")


def provisioning_uri(secret: str, account_email: str, issuer: str = "EHB-5") -> str:
    """The `otpauth://totp/<issuer>:<email>?secret=...&issuer=...` URI an authenticator app
    enrols from (usually through `qr_code_data_url`)."""
    return _totp(secret).provisioning_uri(name=account_email, issuer_name=issuer)


def qr_code_data_url(uri: str, *, image_format: Literal["svg", "png"] = "svg") -> str:
    """`uri` as a QR code image in a `data:` URL (SVG by default, or PNG), ready for an
    `<img src>`. Error correction M and a 4-module quiet zone, as scanners expect."""
    code = segno.make(uri, error="m", micro=False)
    if image_format == "png":
        return str(code.png_data_uri(scale=5, border=4))
    return str(code.svg_data_uri(scale=5, border=4))


def current_step(now: datetime | float | None = None) -> int:
    """The RFC 6238 time step (counter) at `now` (a UTC-aware datetime or Unix seconds; default:
    the current time)."""
    return _step_at(now)


def verify(
    secret: str,
    code: str,
    *,
    last_used_step: int | None,
    now: datetime | float | None = None,
) -> int | None:
    """The time step `code` belongs to, or None when it is not valid now.

    Accepts the current step and one step either side. Refuses any step at or before
    `last_used_step` (the step returned by the previous successful `verify`), so an observed or
    already-used code can never be replayed, even within its window. Spaces in `code` are
    ignored ("123 456"); anything but exactly six digits is refused. Comparisons are
    constant-time. Store the returned step as the new `last_used_step`.
    """
    candidate = "".join(code.split())
    if len(candidate) != DIGITS or not candidate.isascii() or not candidate.isdigit():
        return None
    totp = _totp(secret)
    step = _step_at(now)
    matched: int | None = None
    # Every step in the window is computed and compared, so timing does not reveal which matched.
    for offset in range(-WINDOW_STEPS, WINDOW_STEPS + 1):
        candidate_step = step + offset
        expected = totp.generate_otp(candidate_step)
        fresh = last_used_step is None or candidate_step > last_used_step
        if hmac.compare_digest(expected, candidate) and fresh and matched is None:
            matched = candidate_step
    return matched


def _totp(secret: str) -> pyotp.TOTP:
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS)


def _step_at(now: datetime | float | None) -> int:
    if now is None:
        now = time.time()
    if isinstance(now, datetime):
        if now.tzinfo is None:
            raise ValueError("verify needs an aware datetime (naive times are ambiguous)")
        now = now.timestamp()
    return int(now // STEP_SECONDS)


# --- recovery codes ---------------------------------------------------------------------------


def new_recovery_codes(count: int = 10) -> list[str]:
    """`count` distinct single-use recovery codes like `7kq2-mx9d-h4tz`: 12 characters from a
    32-letter alphabet, 60 random bits each. Show them to the user once; store only
    `hash_recovery_code` of each."""
    if count < 1:
        raise ValueError("count must be positive")
    codes: list[str] = []
    while len(codes) < count:
        raw = "".join(secrets.choice(RECOVERY_CODE_ALPHABET) for _ in range(_RECOVERY_CODE_LENGTH))
        code = "-".join(
            raw[index : index + RECOVERY_CODE_GROUP_LENGTH]
            for index in range(0, _RECOVERY_CODE_LENGTH, RECOVERY_CODE_GROUP_LENGTH)
        )
        if code not in codes:
            codes.append(code)
    return codes


def normalise_recovery_code(code: str) -> str | None:
    """The canonical form of a typed recovery code (lower case, no dashes or spaces, i/l -> 1,
    o -> 0), or None when it cannot be one."""
    canonical = "".join(code.split()).replace("-", "").lower().translate(_CONFUSABLES)
    if len(canonical) != _RECOVERY_CODE_LENGTH:
        return None
    if any(character not in RECOVERY_CODE_ALPHABET for character in canonical):
        return None
    return canonical


def hash_recovery_code(code: str) -> str:
    """The hex SHA-256 of the canonical form of `code`, for storage.

    Why a fast, unsalted hash is enough here (unlike for passwords, which get Argon2id): a
    recovery code is 60 bits chosen uniformly at random by us, not by a person, so there is no
    dictionary to try and no code is shared between users (salt would protect nothing). An
    attacker holding the hashes must search 2^60 candidates per code, and a code alone is not a
    login: it replaces only the second factor, after the password. A slow hash would make every
    legitimate login with a code (checked against up to ten hashes) expensive for little gain.
    """
    canonical = normalise_recovery_code(code)
    if canonical is None:
        raise ValueError("not a recovery code")
    return hashlib.sha256(b"ehb-recovery-code:" + canonical.encode("ascii")).hexdigest()


def match_recovery_code(code: str, hashes: Sequence[str | None]) -> int | None:
    """The index in `hashes` of the stored hash `code` matches, or None.

    Case, dashes, spaces and i/l/o are forgiven (see `normalise_recovery_code`). `None` entries
    (codes already used, if the caller marks them that way) never match. Every entry is
    compared in constant time, without stopping early, so timing reveals nothing. The caller
    must then invalidate that entry: each code is single-use.
    """
    canonical = normalise_recovery_code(code)
    if canonical is None:
        return None
    digest = hash_recovery_code(canonical)
    found: int | None = None
    for index, stored in enumerate(hashes):
        if stored is not None and hmac.compare_digest(digest, stored) and found is None:
            found = index
    return found
