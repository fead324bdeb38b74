"""The one Alembic environment: each subgraph is a version branch with its own version table.

The subgraph comes from `config.attributes["subgraph"]` (set by subgraphs.kernel.migrations) or
`-x subgraph=<name>` on the command line; its metadata is `subgraphs.<name>.models.Base.metadata`
and its URL `config.attributes["database_url"]` or the subgraph's settings.
"""

from __future__ import annotations

import asyncio
import importlib
from logging.config import fileConfig
from typing import Any

from sqlalchemy import MetaData
from sqlalchemy.engine import Connection

from alembic import context
from subgraphs.kernel.db import create_engine
from subgraphs.kernel.migrations import include_object_for
from subgraphs.kernel.settings import Settings

config = context.config
subgraph: str | None = config.attributes.get("subgraph") or context.get_x_argument(
    as_dictionary=True
).get("subgraph")
if not subgraph:
    raise SystemExit("choose the subgraph to migrate: alembic -x subgraph=<name> ...")

if "subgraph" not in config.attributes and config.config_file_name is not None:
    # Only from the alembic command line: fileConfig would disable the app's loggers.
    fileConfig(config.config_file_name)

target_metadata: MetaData = importlib.import_module(f"subgraphs.{subgraph}.models").Base.metadata
database_url: str = config.attributes.get("database_url") or Settings().database_url(subgraph)
version_table = f"{subgraph}_alembic_version"  # keep in sync with migrations.version_table


def _configure(**options: Any) -> None:
    context.configure(
        target_metadata=target_metadata,
        version_table=version_table,
        include_object=include_object_for(subgraph),
        compare_type=True,
        render_as_batch=True,  # SQLite can only ALTER tables by copying them
        **options,
    )


def run_with_connection(connection: Connection) -> None:
    _configure(connection=connection)
    with context.begin_transaction():
        context.run_migrations()


async def run_with_new_engine() -> None:
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(run_with_connection)
            await connection.commit()
    finally:
        await engine.dispose()


if context.is_offline_mode():
    _configure(url=database_url, literal_binds=True, dialect_opts={"paramstyle": "named"})
    with context.begin_transaction():
        context.run_migrations()
elif (given := config.attributes.get("connection")) is not None:
    run_with_connection(given)
else:
    asyncio.run(run_with_new_engine())
