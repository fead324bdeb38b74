"""Per-request DataLoaders: N `load(key)` calls in one tick become one batch query.

A subgraph's `loaders.py` declares factories `<entity>_by_<key>(session) -> DataLoader`, built
with `loader_by_id` (a model's rows by primary key), `loader_by_key` (one value or None per key),
`loader_grouped_by_key` (a list per key) or `loader_paged_by_key` (one connection page per
parent, for paginated fields on N parents).
Resolvers fetch the request's instance with `info.context.loaders.get(user_by_id)`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable, Hashable, Iterable, Mapping, Sequence
from typing import Any, NamedTuple, TypeVar

from aiodataloader import DataLoader
from sqlalchemy import inspect, select
from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.kernel.errors import DomainError
from subgraphs.kernel.pagination import Page

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


def loader_by_id(session: AsyncSession, model: type[V]) -> DataLoader[str, V | None]:
    """A loader giving, for each id, the `model` row with that primary key, or None if missing:
    N ids cost one `SELECT ... WHERE id IN (...)`."""
    mapper = inspect(model)
    [id_column] = mapper.primary_key
    attribute = mapper.get_property_by_column(id_column).key

    async def fetch(session: AsyncSession, ids: Sequence[str]) -> Iterable[V]:
        return await session.scalars(select(model).where(id_column.in_(ids)))

    return loader_by_key(session, fetch, key=lambda row: getattr(row, attribute))


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


class PageKey(NamedTuple):
    """One parent's page of a paginated field: the field's `first`/`after`, and `scope` for
    anything else that narrows the list (e.g. "only what strangers may see")."""

    parent_id: str
    first: int | None
    after: str | None
    scope: Hashable = None


FetchPages = Callable[[AsyncSession, Sequence[str], PageKey], Awaitable[Mapping[str, Page[V]]]]


def loader_paged_by_key(
    session: AsyncSession, fetch: FetchPages[V]
) -> DataLoader[PageKey, Page[V]]:
    """A loader giving each `PageKey` its parent's page; keys sharing `first`, `after` and
    `scope` cost one `fetch(session, parent_ids, shape)` (`shape`: one of those keys), usually
    one `paginate_by_parent` SELECT. A domain error (bad `first` or cursor) fails only the keys
    of its shape."""

    async def batch(keys: list[PageKey]) -> list[Page[V]]:
        groups: dict[tuple[int | None, str | None, Hashable], list[PageKey]] = defaultdict(list)
        for key in keys:
            groups[(key.first, key.after, key.scope)].append(key)
        # aiodataloader fails just the keys whose value is an exception.
        found: dict[PageKey, Any] = {}
        for shape_keys in groups.values():
            parent_ids = sorted({key.parent_id for key in shape_keys})
            try:
                pages = await fetch(session, parent_ids, shape_keys[0])
            except DomainError as error:
                found.update(dict.fromkeys(shape_keys, error))
                continue
            found.update({key: pages[key.parent_id] for key in shape_keys})
        return [found[key] for key in keys]

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
