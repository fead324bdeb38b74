"""The whole platform in production mode: the six subgraphs sharing one fresh PostgreSQL
database (prefixed tables, a version table per subgraph), migrated and seeded, behind the router
from the checked-in supergraph. The startup is tests/integration/platform's, given PostgreSQL
settings; its tests' fixture names (`platform`, `http`, `router`) are reused so its test
functions run here unchanged."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

from subgraphs import SUBGRAPH_NAMES
from subgraphs.kernel.migrations import migrate_to_head_async
from subgraphs.kernel.seeding import seed_demo_data
from subgraphs.kernel.settings import Settings
from tests.integration.platform.client import GraphQLClient
from tests.integration.platform.servers import (
    Platform,
    money_production_secrets,
    start_platform,
)


def postgres_settings(url: str) -> Settings:
    # Small pools: six subgraphs share one server (max_connections is 100 by default).
    return Settings(
        env="production",
        database_urls=dict.fromkeys(SUBGRAPH_NAMES, url),
        db_pool_size=5,
        db_max_overflow=5,
    )


@pytest.fixture(scope="session")
async def platform(postgres_url: str) -> AsyncIterator[Platform]:
    settings = postgres_settings(postgres_url)
    for name in SUBGRAPH_NAMES:
        await migrate_to_head_async(name, postgres_url)
        await seed_demo_data(name, settings)
    with money_production_secrets():
        running = await start_platform(dict.fromkeys(SUBGRAPH_NAMES, settings))
        yield running
        await running.stop()


@pytest.fixture(scope="session")
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture(scope="session")
def router(platform: Platform, http: aiohttp.ClientSession) -> GraphQLClient:
    """The router, called by the seeded administrator (as in tests/integration/platform)."""
    return GraphQLClient(http, platform.graphql_url, platform.admin_headers())
