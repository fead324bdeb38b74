import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

# The shared test fixtures live in tests/fixtures/ and are imported as `tests.fixtures...`.
REPO_ROOT = str(Path(__file__).resolve().parents[3])
if REPO_ROOT not in sys.path:
    sys.path.insert(0, REPO_ROOT)

from router.config import RouterConfig  # noqa: E402
from router.transport import KeepAliveClient, create_subgraph_client  # noqa: E402


@pytest.fixture
async def subgraph_client() -> AsyncIterator[KeepAliveClient]:
    client = create_subgraph_client(RouterConfig())
    yield client
    await client.close()
