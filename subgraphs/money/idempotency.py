"""Idempotency keys for every mutation that moves money (docs/money.md, "Idempotency").

    result = await run_idempotently(
        session,
        scope=user_id,                       # whose key: usually the acting user's id
        key=input.idempotency_key,
        operation="transferBetweenWallets",  # one name per mutation
        request={"from": ..., "to": ..., "amount": 500},   # the JSON-safe payload
        execute=lambda: do_the_transfer(...),             # returns a JSON-safe dict
    )

- First use of (scope, key): `execute()` runs and its result is stored with the key, in the
  caller's transaction (a failure rolls both back: the key stays unused, a retry runs again).
- Same (scope, key) and the same operation + payload: the stored result, without running.
- Same (scope, key) with another operation or payload: `IdempotencyConflict` (CONFLICT).
- Concurrent duplicates: the key is claimed with INSERT ... ON CONFLICT DO NOTHING before
  anything else; on PostgreSQL the second waits for the first transaction, then finds its row
  and replays the result; on SQLite the database's single writer serialises them the same way.

Store ids in the result, not whole objects, and rebuild the response from them: the replay is
the same result (same journal transaction, same ids), read as it is now.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import orjson
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.kernel.db import new_id, utcnow
from subgraphs.kernel.errors import BadUserInput, Conflict
from subgraphs.money._sql import insert_unless_present
from subgraphs.money.models import IdempotencyRecord

MAX_KEY_LENGTH = 100
FIELD = "idempotencyKey"

JsonObject = dict[str, Any]


class InvalidIdempotencyKey(BadUserInput):
    def __init__(self) -> None:
        super().__init__(
            f"idempotencyKey must be 1 to {MAX_KEY_LENGTH} printable characters (a UUID is a "
            "good choice); reuse it only to retry the same request.",
            field=FIELD,
        )


class IdempotencyConflict(Conflict):
    def __init__(self, key: str, operation: str) -> None:
        super().__init__(
            f"idempotencyKey {key!r} was already used for a different request "
            f"({operation}); use a new key for a new request, the same key only to retry "
            "exactly the same one.",
            field=FIELD,
        )


class IdempotentRequestInProgress(Conflict):
    def __init__(self, key: str) -> None:
        super().__init__(
            f"A request with idempotencyKey {key!r} is still running; retry shortly.",
            field=FIELD,
        )


def check_key(key: str) -> str:
    """`key` if usable as an idempotency key, else BAD_USER_INPUT."""
    if not 1 <= len(key) <= MAX_KEY_LENGTH or not key.isprintable() or key != key.strip():
        raise InvalidIdempotencyKey()
    return key


def request_hash(operation: str, request: Mapping[str, Any]) -> str:
    """SHA-256 of the operation and its payload as canonical JSON (sorted keys)."""
    content = orjson.dumps(
        {"operation": operation, "request": request}, option=orjson.OPT_SORT_KEYS
    )
    return hashlib.sha256(content).hexdigest()


async def _stored(session: AsyncSession, scope: str, key: str) -> IdempotencyRecord:
    record: IdempotencyRecord | None = await session.scalar(
        select(IdempotencyRecord)
        .where(IdempotencyRecord.scope == scope, IdempotencyRecord.key == key)
        .execution_options(populate_existing=True)
    )
    if record is None:  # claimed by a transaction that rolled back since: nothing to replay
        raise IdempotentRequestInProgress(key)
    return record


def _replay(record: IdempotencyRecord, *, key: str, operation: str, digest: str) -> JsonObject:
    if record.operation != operation or record.request_hash != digest:
        raise IdempotencyConflict(key, record.operation)
    if record.result is None:
        raise IdempotentRequestInProgress(key)
    return dict(record.result)


async def run_idempotently(
    session: AsyncSession,
    *,
    scope: str,
    key: str,
    operation: str,
    request: Mapping[str, Any],
    execute: Callable[[], Awaitable[JsonObject]],
) -> JsonObject:
    """`execute()`'s result, run at most once per (`scope`, `key`); see the module docstring."""
    key = check_key(key)
    digest = request_hash(operation, request)
    existing: IdempotencyRecord | None = await session.scalar(
        select(IdempotencyRecord).where(
            IdempotencyRecord.scope == scope, IdempotencyRecord.key == key
        )
    )
    if existing is not None:
        return _replay(existing, key=key, operation=operation, digest=digest)
    record_id = new_id()
    claimed = await insert_unless_present(
        session,
        IdempotencyRecord.__table__,  # type: ignore[arg-type]
        {
            "id": record_id,
            "scope": scope,
            "key": key,
            "operation": operation,
            "request_hash": digest,
            "result": None,
            "created_at": utcnow(),
        },
        unique_columns=("scope", "key"),
    )
    if not claimed:
        record = await _stored(session, scope, key)
        return _replay(record, key=key, operation=operation, digest=digest)
    result = await execute()
    await session.execute(
        update(IdempotencyRecord)
        .where(IdempotencyRecord.id == record_id)
        .values(result=result)
        .execution_options(synchronize_session=False)
    )
    return result
