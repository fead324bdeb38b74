"""Every subgraph's Alembic branch builds exactly its models' schema (no autogenerate diff)."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

import subgraphs
from subgraphs.kernel.db import create_engine
from subgraphs.kernel.migrations import (
    current_revision_is_head,
    current_revision_is_head_async,
    include_object_for,
    migrate_to_head,
    migrate_to_head_async,
)
from subgraphs.kernel.serve import load_app

PACKAGE_DIR = Path(subgraphs.__file__).parent
WITH_MODELS = [
    name for name in subgraphs.SUBGRAPH_NAMES if (PACKAGE_DIR / name / "models.py").exists()
]


@pytest.mark.parametrize("name", WITH_MODELS)
async def test_migrations_at_head_match_the_models(name, tmp_path):
    import importlib

    metadata = importlib.import_module(f"subgraphs.{name}.models").Base.metadata
    url = f"sqlite+aiosqlite:///{tmp_path / f'{name}.db'}"
    await migrate_to_head_async(name, url)
    assert await current_revision_is_head_async(name, url)

    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            diff = await connection.run_sync(
                lambda sync: compare_metadata(
                    MigrationContext.configure(
                        sync,
                        opts={"include_object": include_object_for(name), "compare_type": True},
                    ),
                    metadata,
                )
            )
    finally:
        await engine.dispose()
    assert diff == [], f"{name}: models and migrations disagree: {diff}"


@pytest.mark.parametrize("name", WITH_MODELS)
async def test_migrating_twice_is_a_no_op(name, tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path / f'{name}.db'}"
    await migrate_to_head_async(name, url)
    await migrate_to_head_async(name, url)

    assert await current_revision_is_head_async(name, url)


@pytest.mark.parametrize("name", WITH_MODELS)
def test_every_table_is_prefixed_with_the_subgraph_name(name):
    # create_subgraph_app refuses tables owned by no prefix; building the app proves it.
    load_app(name)


def test_blocking_migrate_to_head_serves_the_cli(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'identity.db'}"
    assert not current_revision_is_head("identity", url)

    migrate_to_head("identity", url)

    assert current_revision_is_head("identity", url)
