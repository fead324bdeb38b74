"""Load a subgraph's demo data (`ehb dev --seed`) in one committed transaction."""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.kernel.db import open_database
from subgraphs.kernel.settings import Settings

SeedDemo = Callable[[AsyncSession], Awaitable[None]]


async def seed_demo_data(name: str, settings: Settings | None = None) -> None:
    """Run `subgraphs.<name>.seed.seed_demo` against its (migrated) database and commit."""
    seed_demo: SeedDemo = importlib.import_module(f"subgraphs.{name}.seed").seed_demo
    settings = settings or Settings()
    database = open_database(settings.database_url(name), settings)
    try:
        async with database.sessions() as session:
            await seed_demo(session)
            await session.commit()
    finally:
        await database.dispose()
