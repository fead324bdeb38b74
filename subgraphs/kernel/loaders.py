"""Per-request DataLoaders: N `load(key)` calls in one tick become one batch query.

A subgraph's `loaders.py` declares factories `<entity>_by_<key>(session) -> DataLoader`, built
with `loader_by_key` (one value or None per key) or `loader_grouped_by_key` (a list per key).
Resolvers fetch the request's instance with `info.context.loaders.get(user_by_id)`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable, Hashable, Iterable, Sequence
from typing import Any, TypeVar

from aiodataloader import DataLoader
from sqlalchemy.ext.asyncio import AsyncSession

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
L = TypeVar("L")

FetchRows = Callable[[AsyncSession, Sequence[K]], Awaitable[Iterable[V]]]


def loader_by_key(
    session: AsyncSession, fetch: FetchRows[K, V], *, key: Callable[[V], K]
) -> DataLoader[K, V | None]:
    """A loader giving, for each key, the row whose `key(row)` equals it, or None if missing.

    `fetch(session, keys)` returns the matching rows in any order (one query, e.g. `IN (...)`).
    """

    async def batch(keys: list[K]) -> list[V | None]:
        rows = {key(row): row for row in await fetch(session, keys)}
        return [rows.get(wanted) for wanted in keys]

    return DataLoader(batch)


def loader_grouped_by_key(
    session: AsyncSession, fetch: FetchRows[K, V], *, key: Callable[[V], K]
) -> DataLoader[K, list[V]]:
    """A loader giving, for each key, every row whose `key(row)` equals it (possibly none).

    Rows keep the order `fetch` returned them in, so order the query as the field should be.
    """

    async def batch(keys: list[K]) -> list[list[V]]:
        groups: dict[K, list[V]] = defaultdict(list)
        for row in await fetch(session, keys):
            groups[key(row)].append(row)
        return [groups.get(wanted, []) for wanted in keys]

    return DataLoader(batch)


class Loaders:
    """The loaders of one request, built lazily from their factories and cached by factory."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self._built: dict[Callable[[AsyncSession], Any], Any] = {}

    def get(self, factory: Callable[[AsyncSession], L]) -> L:
        if factory not in self._built:
            self._built[factory] = factory(self._session)
        loader: L = self._built[factory]
        return loader
