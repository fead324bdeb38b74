from collections.abc import AsyncIterator

import aiohttp
import pytest

from tests.integration.platform.client import GraphQLClient
from tests.integration.platform.servers import Platform, prepare_databases, start_platform


@pytest.fixture(scope="session")
async def platform(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Platform]:
    settings = await prepare_databases(tmp_path_factory.mktemp("platform"))
    running = await start_platform(settings)
    yield running
    await running.stop()


@pytest.fixture(scope="session")
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture(scope="session")
def router(platform: Platform, http: aiohttp.ClientSession) -> GraphQLClient:
    """The router, called by the seeded administrator (who may see every field)."""
    return GraphQLClient(http, platform.graphql_url, platform.admin_headers())


@pytest.fixture(scope="session")
def anonymous(platform: Platform, http: aiohttp.ClientSession) -> GraphQLClient:
    """The router, called without a token."""
    return GraphQLClient(http, platform.graphql_url)
