"""money (with payments) served over real HTTP on a migrated temp database."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.fixtures.tokens import Secured, secured_subgraph


@pytest.fixture(scope="module")
async def secured(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Secured]:
    async with secured_subgraph("money", tmp_path_factory.mktemp("payments")) as running:
        yield running
