"""A migrated money database for fraud service tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from subgraphs.kernel.db import Database, open_database
from subgraphs.kernel.testing import migrated_settings


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[Database]:
    settings = await migrated_settings("money", tmp_path)
    database = open_database(settings.database_url("money"))
    yield database
    await database.dispose()
