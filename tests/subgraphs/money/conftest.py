"""money served over real HTTP on a migrated temp database, verifying bearer tokens."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from subgraphs.kernel.testing import RunningSubgraph
from tests.fixtures.tokens import Secured, secured_subgraph


@pytest.fixture(scope="module")
async def secured(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Secured]:
    """The money subgraph (fresh database per test module) and a mint whose tokens it accepts."""
    async with secured_subgraph("money", tmp_path_factory.mktemp("money")) as running:
        yield running


@pytest.fixture(scope="module")
def money(secured: Secured) -> RunningSubgraph:
    """money called by an administrator (who may act for any `ownerId`)."""
    return secured.admin
