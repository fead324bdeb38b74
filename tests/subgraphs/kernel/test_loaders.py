"""Loaders answer in key order, with None (or []) for missing keys, in one batch."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from subgraphs.identity.models import User
from subgraphs.kernel.db import open_database
from subgraphs.kernel.loaders import Loaders, loader_by_id, loader_by_key, loader_grouped_by_key
from subgraphs.kernel.testing import count_statements, migrated_settings, selects


@dataclass
class Row:
    id: str
    owner: str


ROWS = [Row("a", "x"), Row("b", "y"), Row("c", "x")]


class CountingFetch:
    def __init__(self) -> None:
        self.batches: list[list[str]] = []

    async def by_id(self, _session: Any, ids: Sequence[str]) -> list[Row]:
        self.batches.append(list(ids))
        return [row for row in reversed(ROWS) if row.id in ids]

    async def by_owner(self, _session: Any, owners: Sequence[str]) -> list[Row]:
        self.batches.append(list(owners))
        return [row for row in ROWS if row.owner in owners]


async def test_loader_by_key_answers_in_key_order_with_none_for_missing():
    fetch = CountingFetch()
    loader = loader_by_key(None, fetch.by_id, key=lambda row: row.id)  # type: ignore[arg-type]

    found = await asyncio.gather(*(loader.load(key) for key in ["c", "zzz", "a"]))

    assert found == [ROWS[2], None, ROWS[0]]
    assert fetch.batches == [["c", "zzz", "a"]]


async def test_grouped_loader_gives_every_row_per_key():
    fetch = CountingFetch()
    loader = loader_grouped_by_key(None, fetch.by_owner, key=lambda row: row.owner)  # type: ignore[arg-type]

    found = await asyncio.gather(*(loader.load(key) for key in ["x", "nobody", "y"]))

    assert found == [[ROWS[0], ROWS[2]], [], [ROWS[1]]]
    assert len(fetch.batches) == 1


def test_loaders_builds_each_factory_once_per_request():
    built: list[object] = []

    def factory(session: object) -> object:
        built.append(session)
        return object()

    loaders = Loaders("session")  # type: ignore[arg-type]
    assert loaders.get(factory) is loaders.get(factory)
    assert built == ["session"]
    assert Loaders("other").get(factory) is not loaders.get(factory)  # type: ignore[arg-type]


async def test_loader_by_id_loads_a_models_rows_by_primary_key_in_one_select(tmp_path):
    settings = await migrated_settings("identity", tmp_path)
    database = open_database(settings.database_url("identity"))
    try:
        async with database.sessions() as session:
            for name in ("a", "b"):
                session.add(User(id=name, email=f"{name}@example.com", display_name=name, roles=[]))
            await session.flush()
            loader = loader_by_id(session, User)
            with count_statements(database.engine) as statements:
                found = await asyncio.gather(*(loader.load(key) for key in ["b", "zzz", "a"]))
    finally:
        await database.dispose()

    assert [user.email if user else None for user in found] == [
        "b@example.com",
        None,
        "a@example.com",
    ]
    assert len(selects(statements)) == 1, statements
