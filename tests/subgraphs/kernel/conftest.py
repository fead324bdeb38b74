"""The probe subgraph: identity's tables behind a schema built to break in every way."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from subgraphs.kernel.testing import RunningSubgraph, running_subgraph
from tests.subgraphs.kernel.kernel_probe import create_probe_app


@pytest.fixture
async def probe(tmp_path) -> AsyncIterator[RunningSubgraph]:
    """A fresh probe subgraph per test (each test starts from an empty database)."""
    async with running_subgraph("identity", tmp_path, app_factory=create_probe_app) as running:
        yield running
