"""A migrated money database (SQLite) and field keys for payout service tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from subgraphs.kernel.db import Database, open_database
from subgraphs.kernel.testing import migrated_settings
from subgraphs.money.encryption import FieldKey, FieldKeys, install_field_keys
from tests.subgraphs.money.payouts.payout_helpers import Bench


@pytest.fixture(autouse=True)
def field_keys() -> None:
    """Bank account numbers are encrypted at rest (the money app's lifespan installs keys)."""
    install_field_keys(FieldKeys([FieldKey.generate()]))


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[Database]:
    settings = await migrated_settings("money", tmp_path)
    database = open_database(settings.database_url("money"))
    yield database
    await database.dispose()


@pytest.fixture
def bench(database: Database) -> Bench:
    return Bench(database)
