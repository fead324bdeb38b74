"""Shared fixtures for subgraph tests: identity served over real HTTP on a migrated temp DB."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from subgraphs.kernel.testing import RunningSubgraph, running_subgraph


@pytest.fixture(scope="module")
async def identity(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[RunningSubgraph]:
    """The identity subgraph (fresh database per test module)."""
    async with running_subgraph("identity", tmp_path_factory.mktemp("identity")) as running:
        yield running
