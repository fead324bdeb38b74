"""Drive the single Alembic environment programmatically, one subgraph branch at a time."""

from __future__ import annotations

import argparse
import asyncio
import os
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from alembic import command
from subgraphs.kernel.db import create_engine
from subgraphs.kernel.settings import Settings

ALEMBIC_INI = Path(__file__).resolve().parents[2] / "alembic.ini"
VERSIONS_DIR = ALEMBIC_INI.parent / "alembic" / "versions"


def version_table(name: str) -> str:
    return f"{name}_alembic_version"


def include_object_for(name: str) -> Callable[[Any, str | None, str, bool, Any], bool]:
    """Alembic's `include_object` for subgraph `name`: only its own `<name>_` tables.

    Subgraphs may share one PostgreSQL database, so autogenerate must never see (and offer to
    drop) another subgraph's tables or any version table.
    """

    def include_object(obj: Any, object_name: str | None, type_: str, *_: Any) -> bool:
        if type_ != "table":
            return True
        table = object_name or ""
        return table.startswith(f"{name}_") and table != version_table(name)

    return include_object


def alembic_config(
    name: str,
    database_url: str | None = None,
    connection: Connection | None = None,
    *,
    versions_dir: Path = VERSIONS_DIR,
    branch_only: bool = False,
) -> Config:
    """An Alembic config aimed at subgraph `name` (and an open connection, when given).

    Every branch directory under `versions_dir` is a version location, or only `name`'s with
    `branch_only` (then "heads" means this branch's heads, which autogenerate needs).
    """
    config = Config(str(ALEMBIC_INI))
    branches = {versions_dir / name} if branch_only else {*versions_dir.glob("*/")}
    locations = sorted({*branches, versions_dir / name} - {versions_dir / "__pycache__"})
    config.set_main_option(
        "version_locations", os.pathsep.join(str(p) for p in locations if p.is_dir())
    )
    config.set_main_option("recursive_version_locations", "false")
    config.attributes["subgraph"] = name
    config.attributes["database_url"] = database_url or Settings().database_url(name)
    if connection is not None:
        config.attributes["connection"] = connection
    return config


@cache
def head_revisions(name: str) -> frozenset[str]:
    """The head revision ids of subgraph `name`'s branch."""
    script = ScriptDirectory.from_config(alembic_config(name, "sqlite://"))
    return frozenset(revision.revision for revision in script.get_revisions(f"{name}@head"))


def migrate_to_head(name: str, database_url: str | None = None) -> None:
    """Upgrade subgraph `name`'s database to its branch head (blocking; for the CLI)."""
    command.upgrade(alembic_config(name, database_url), f"{name}@head")


async def migrate_to_head_async(name: str, database_url: str | None = None) -> None:
    """Same as `migrate_to_head`, for code already running an event loop."""
    url = database_url or Settings().database_url(name)
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(
                lambda sync: command.upgrade(alembic_config(name, url, sync), f"{name}@head")
            )
    finally:
        await engine.dispose()


async def pending_migration_reason(engine: AsyncEngine, name: str) -> str | None:
    """None when the database is at subgraph `name`'s head, else why it is not."""

    def current(connection: Connection) -> set[str]:
        migration = MigrationContext.configure(
            connection, opts={"version_table": version_table(name)}
        )
        return set(migration.get_current_heads())

    async with engine.connect() as connection:
        at = await connection.run_sync(current)
    heads = head_revisions(name)
    if at == heads:
        return None
    if not at:
        return f"database has no {name} migrations applied (run `ehb migrate {name}`)"
    return f"database is at {sorted(at)}, {name} head is {sorted(heads)} (run `ehb migrate {name}`)"


async def current_revision_is_head_async(name: str, database_url: str | None = None) -> bool:
    engine = create_engine(database_url or Settings().database_url(name))
    try:
        return await pending_migration_reason(engine, name) is None
    finally:
        await engine.dispose()


def current_revision_is_head(name: str, database_url: str | None = None) -> bool:
    """Whether subgraph `name`'s database is at its branch head (blocking)."""
    return asyncio.run(current_revision_is_head_async(name, database_url))


def create_revision(
    name: str,
    message: str,
    *,
    database_url: str | None = None,
    versions_dir: Path = VERSIONS_DIR,
) -> Path:
    """Autogenerate the next revision of subgraph `name`'s branch in `versions_dir/<name>`; the
    first one starts the branch (`--head base --branch-label <name>`). Only this branch's
    revisions are loaded, so other branches never make the database look out of date; the
    database at `database_url` must be at this branch's head (or empty for a first revision).
    Returns the new file; review it by hand."""
    branch_dir = versions_dir / name
    is_first = not any(branch_dir.glob("*.py"))
    branch_dir.mkdir(parents=True, exist_ok=True)
    head_revisions.cache_clear()
    script = command.revision(
        alembic_config(name, database_url, versions_dir=versions_dir, branch_only=True),
        message=message,
        autogenerate=True,
        head="base" if is_first else f"{name}@head",
        branch_label=name if is_first else None,
        version_path=str(branch_dir),
    )
    if script is None or isinstance(script, list):  # one head, one script: never happens
        raise RuntimeError(f"alembic made no single revision for {name}: {script!r}")
    return Path(script.path)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m subgraphs.kernel.migrations",
        description="Autogenerate a migration for one subgraph's Alembic branch.",
    )
    parser.add_argument("subgraph")
    parser.add_argument("-m", "--message", required=True)
    parser.add_argument("--database-url", default=None, help="a database at the branch head")
    args = parser.parse_args(argv)
    print(create_revision(args.subgraph, args.message, database_url=args.database_url))


if __name__ == "__main__":
    main()
