"""A migrated money database (per test module) with field-encryption keys installed."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from subgraphs.kernel.db import Database, open_database
from subgraphs.kernel.testing import migrated_settings
from subgraphs.money.encryption import FieldKeys, install_field_keys


@pytest.fixture(scope="module")
async def database(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Database]:
    directory = tmp_path_factory.mktemp("trusty")
    settings = await migrated_settings("money", directory)
    install_field_keys(FieldKeys.from_settings(settings))
    opened = open_database(settings.database_url("money"), settings)
    yield opened
    await opened.dispose()
