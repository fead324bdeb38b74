"""The money features through the router: each test module gets its own platform (migrated and
seeded SQLite databases, the six subgraphs, the router), since their movements would trip each
other's fraud velocity and balances; a module that needs settings of its own overrides
`platform`."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

from tests.integration.platform.servers import Platform, prepare_databases, start_platform


@pytest.fixture(scope="module")
async def platform(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Platform]:
    settings = await prepare_databases(tmp_path_factory.mktemp(request.module.__name__))
    running = await start_platform(settings)
    yield running
    await running.stop()


@pytest.fixture(scope="module")
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session
