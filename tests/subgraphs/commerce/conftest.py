"""commerce served over real HTTP on a migrated temp database."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from subgraphs.kernel.testing import RunningSubgraph, running_subgraph


@pytest.fixture(scope="module")
async def commerce(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[RunningSubgraph]:
    """The commerce subgraph (fresh database per test module)."""
    async with running_subgraph("commerce", tmp_path_factory.mktemp("commerce")) as running:
        yield running
