"""`python -m subgraphs.kernel.migrations <name> -m msg` autogenerates against its own branch
only: other subgraphs' branches never make the database look out of date, and a subgraph without
revisions starts its branch. Runs on a temp copy of alembic/versions."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory

from subgraphs.kernel.migrations import VERSIONS_DIR, alembic_config, create_revision
from subgraphs.kernel.testing import migrated_settings, sqlite_settings


def versions_copy(tmp_path: Path, *, without: str | None = None) -> Path:
    copy = tmp_path / "versions"
    shutil.copytree(VERSIONS_DIR, copy, ignore=shutil.ignore_patterns("__pycache__"))
    if without is not None:
        shutil.rmtree(copy / without)
    return copy


def real_versions() -> list[Path]:
    return sorted(VERSIONS_DIR.rglob("*.py"))


def script_of(versions: Path, name: str) -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config(name, "sqlite://", versions_dir=versions))


@pytest.fixture
def untouched_versions():
    before = real_versions()
    yield
    assert real_versions() == before


async def test_next_revision_of_a_branch_ignores_the_other_branches(tmp_path, untouched_versions):
    versions = versions_copy(tmp_path)
    settings = await migrated_settings("money", tmp_path)
    [money_head] = script_of(versions, "money").get_revisions("money@head")

    made = await asyncio.to_thread(  # the command is blocking (it runs its own event loop)
        create_revision,
        "money",
        "money nothing new",
        database_url=settings.database_url("money"),
        versions_dir=versions,
    )

    assert made.parent == versions / "money"
    [new_head] = script_of(versions, "money").get_revisions("money@head")
    assert new_head.path == str(made)
    assert new_head.down_revision == money_head.revision
    assert len(script_of(versions, "money").get_revisions("heads")) == len(
        list(versions.glob("*/"))
    )


async def test_first_revision_starts_a_new_branch(tmp_path, untouched_versions):
    versions = versions_copy(tmp_path, without="support")
    settings = sqlite_settings("support", tmp_path)

    made = await asyncio.to_thread(
        create_revision,
        "support",
        "support initial",
        database_url=settings.database_url("support"),
        versions_dir=versions,
    )

    assert made.parent == versions / "support"
    [head] = script_of(versions, "support").get_revisions("support@head")
    assert head.down_revision is None
    assert head.branch_labels == {"support"}
    assert "op.create_table('support_tickets'" in made.read_text()
