"""commerce served over real HTTP on a migrated temp database, verifying bearer tokens."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from subgraphs.kernel.testing import RunningSubgraph
from tests.fixtures.tokens import Secured, secured_subgraph


@pytest.fixture(scope="module")
async def secured(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Secured]:
    """The commerce subgraph (fresh database per test module) and a mint it trusts."""
    async with secured_subgraph("commerce", tmp_path_factory.mktemp("commerce")) as running:
        yield running


@pytest.fixture(scope="module")
def commerce(secured: Secured) -> RunningSubgraph:
    """commerce called by an administrator (who may act for any user or shop)."""
    return secured.admin
