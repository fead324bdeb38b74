"""Every subgraph's Alembic branch on PostgreSQL: upgrade to head, downgrade to base, upgrade
again, and the tables it builds are exactly its models (autogenerate finds no diff).

All six branches share one database, as they may in production: tables are prefixed and each
branch has its own version table, so one branch going up and down never touches another's.
"""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from alembic import command
from subgraphs.kernel.db import create_engine
from subgraphs.kernel.migrations import (
    alembic_config,
    current_revision_is_head_async,
    include_object_for,
    migrate_to_head_async,
    version_table,
)
from tests.conftest import CreatePostgresDatabase
from tests.subgraphs.kernel.test_migrations_match_models import WITH_MODELS

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
async def migrations_url(create_postgres_database: CreatePostgresDatabase) -> str:
    """A database of this module's own: downgrades must not empty the platform's tables."""
    return await create_postgres_database()


def own_tables(connection: Connection, name: str) -> set[str]:
    tables = set(inspect(connection).get_table_names())
    return {t for t in tables if t.startswith(f"{name}_") and t != version_table(name)}


def models_diff(connection: Connection, name: str) -> list[Any]:
    metadata = importlib.import_module(f"subgraphs.{name}.models").Base.metadata
    context = MigrationContext.configure(
        connection, opts={"include_object": include_object_for(name), "compare_type": True}
    )
    diff: list[Any] = compare_metadata(context, metadata)
    return diff


def downgrade_to_base(connection: Connection, name: str, url: str) -> None:
    command.downgrade(alembic_config(name, url, connection), f"{name}@base")


@pytest.mark.parametrize("name", WITH_MODELS)
async def test_branch_upgrades_downgrades_and_upgrades_again_matching_its_models(
    name: str, migrations_url: str
) -> None:
    expected = set(importlib.import_module(f"subgraphs.{name}.models").Base.metadata.tables)
    engine = create_engine(migrations_url)
    try:
        await migrate_to_head_async(name, migrations_url)
        assert await current_revision_is_head_async(name, migrations_url)
        async with engine.connect() as connection:
            assert await connection.run_sync(own_tables, name) == expected
            assert await connection.run_sync(models_diff, name) == []

        async with engine.begin() as connection:
            await connection.run_sync(downgrade_to_base, name, migrations_url)
        async with engine.connect() as connection:
            assert await connection.run_sync(own_tables, name) == set()
        assert not await current_revision_is_head_async(name, migrations_url)

        await migrate_to_head_async(name, migrations_url)
        await migrate_to_head_async(name, migrations_url)  # a second upgrade is a no-op
        assert await current_revision_is_head_async(name, migrations_url)
        async with engine.connect() as connection:
            assert await connection.run_sync(own_tables, name) == expected
            assert await connection.run_sync(models_diff, name) == []
    finally:
        await engine.dispose()
