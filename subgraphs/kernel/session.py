"""`SerialSession`: an `AsyncSession` that several coroutines of one request may share.

GraphQL resolves sibling fields concurrently, and they all use the request's one session. A
plain `AsyncSession` refuses overlapping operations ("This session is provisioning a new
connection; concurrent operations are not permitted"), so every awaitable operation here takes
the session's `asyncio.Lock` first: operations run one after another, whole. DataLoaders still
do the batching; the lock only makes sharing safe.

Not covered: results of `stream()`/`stream_scalars()` are consumed after the lock is released
(nothing in the subgraphs streams). `scalars()`, `stream_scalars()` and `aclose()` go through
`execute()`, `stream()` and `close()`, so they are not locked twice.
"""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession


class SerialSession(AsyncSession):
    """An `AsyncSession` whose operations never overlap (one lock per session)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._lock = asyncio.Lock()

    async def execute(self, *args: Any, **kwargs: Any) -> Any:
        async with self._lock:
            return await super().execute(*args, **kwargs)

    async def scalar(self, *args: Any, **kwargs: Any) -> Any:
        async with self._lock:
            return await super().scalar(*args, **kwargs)

    async def get(self, *args: Any, **kwargs: Any) -> Any:
        async with self._lock:
            return await super().get(*args, **kwargs)

    async def get_one(self, *args: Any, **kwargs: Any) -> Any:
        async with self._lock:
            return await super().get_one(*args, **kwargs)

    async def stream(self, *args: Any, **kwargs: Any) -> Any:
        async with self._lock:
            return await super().stream(*args, **kwargs)

    async def refresh(self, *args: Any, **kwargs: Any) -> None:
        async with self._lock:
            await super().refresh(*args, **kwargs)

    async def run_sync(self, *args: Any, **kwargs: Any) -> Any:
        async with self._lock:
            return await super().run_sync(*args, **kwargs)

    async def delete(self, instance: object) -> None:
        async with self._lock:
            await super().delete(instance)

    async def delete_all(self, instances: Any) -> None:
        async with self._lock:
            await super().delete_all(instances)

    async def merge(self, *args: Any, **kwargs: Any) -> Any:
        async with self._lock:
            return await super().merge(*args, **kwargs)

    async def merge_all(self, *args: Any, **kwargs: Any) -> Any:
        async with self._lock:
            return await super().merge(*args, **kwargs)

    async def flush(self, *args: Any, **kwargs: Any) -> None:
        async with self._lock:
            await super().flush(*args, **kwargs)

    async def connection(self, *args: Any, **kwargs: Any) -> Any:
        async with self._lock:
            return await super().connection(*args, **kwargs)

    async def commit(self) -> None:
        async with self._lock:
            await super().commit()

    async def rollback(self) -> None:
        async with self._lock:
            await super().rollback()

    async def close(self) -> None:
        async with self._lock:
            await super().close()

    async def reset(self) -> None:
        async with self._lock:
            await super().reset()

    async def invalidate(self) -> None:
        async with self._lock:
            await super().invalidate()
