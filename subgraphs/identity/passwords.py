"""Passwords: the policy (length, common passwords) and Argon2id hashing.

Hashing uses argon2-cffi with OWASP's Argon2id parameters (19 MiB memory, 2 iterations, one
lane). `verify_password` says when a stored hash was made with other parameters, so login can
rehash it. A password is never logged, stored or echoed: only its hash leaves this module.

The common-password list (`common-passwords.txt.gz`, the 20 000 most common passwords that
Django ships, one per line, lower-case) is read once, lazily.
"""

from __future__ import annotations

import asyncio
import contextlib
import gzip
from dataclasses import dataclass
from functools import cache
from importlib import resources

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from subgraphs.identity.errors import WeakPassword

MIN_LENGTH = 12
MAX_LENGTH = 256  # hashing a megabyte "password" is a denial of service, not a password

# OWASP Password Storage Cheat Sheet: Argon2id, m=19 MiB, t=2, p=1.
HASHER = PasswordHasher(
    time_cost=2, memory_cost=19 * 1024, parallelism=1, hash_len=32, salt_len=16, type=Type.ID
)
# Verified against when an email has no account (or no password), so the answer takes as long.
_DUMMY_HASH = HASHER.hash("not a real password, only for timing")


@cache
def common_passwords() -> frozenset[str]:
    data = resources.files("subgraphs.identity").joinpath("common-passwords.txt.gz").read_bytes()
    return frozenset(gzip.decompress(data).decode("utf-8").split())


def check_password_policy(password: str, *, field: str = "password") -> None:
    """BAD_USER_INPUT (`WeakPassword`) unless `password` is 12-256 characters and not common."""
    if len(password) < MIN_LENGTH:
        raise WeakPassword(f"use at least {MIN_LENGTH} characters", field=field)
    if len(password) > MAX_LENGTH:
        raise WeakPassword(f"use at most {MAX_LENGTH} characters", field=field)
    if password.lower() in common_passwords() or len(set(password)) < 4:
        raise WeakPassword("it is too common or too easy to guess", field=field)


def hash_password(password: str) -> str:
    return HASHER.hash(password)


async def hash_password_off_loop(password: str) -> str:
    """`hash_password` in a worker thread: Argon2id takes tens of milliseconds of CPU (it
    releases the GIL), which must not stall every other request of the event loop."""
    return await asyncio.to_thread(HASHER.hash, password)


async def verify_password_off_loop(stored_hash: str | None, password: str) -> PasswordCheck:
    """`verify_password` in a worker thread (see `hash_password_off_loop`)."""
    return await asyncio.to_thread(verify_password, stored_hash, password)


@dataclass(frozen=True, slots=True)
class PasswordCheck:
    ok: bool
    needs_rehash: bool = False


def verify_password(stored_hash: str | None, password: str) -> PasswordCheck:
    """Does `password` match `stored_hash`? With no hash (no account, no password) a dummy hash
    is checked anyway so that the time taken says nothing about the account."""
    if stored_hash is None or len(password) > MAX_LENGTH:
        with contextlib.suppress(VerificationError):
            HASHER.verify(_DUMMY_HASH, password[:MAX_LENGTH] + "\0")
        return PasswordCheck(ok=False)
    try:
        HASHER.verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return PasswordCheck(ok=False)
    return PasswordCheck(ok=True, needs_rehash=HASHER.check_needs_rehash(stored_hash))
