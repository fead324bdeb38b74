"""Settings: an SQLite file per subgraph under the data dir unless a URL is given."""

from __future__ import annotations

from pathlib import Path

import pytest

from subgraphs.kernel.settings import Settings


def test_defaults_are_embedded_sqlite_and_memory_broadcast(monkeypatch):
    for variable in ("EHB_DATA_DIR", "EHB_ENV", "EHB_BROADCAST_URL", "EHB_MONEY_DATABASE_URL"):
        monkeypatch.delenv(variable, raising=False)

    settings = Settings()

    assert settings.database_url("money") == "sqlite+aiosqlite:///data/money.db"
    assert settings.broadcast_url == "memory://"
    assert settings.is_production is False


def test_environment_overrides(monkeypatch):
    monkeypatch.setenv("EHB_DATA_DIR", "/srv/ehb")
    monkeypatch.setenv("EHB_ENV", "production")
    monkeypatch.setenv("EHB_MONEY_DATABASE_URL", "postgresql+asyncpg://db/money")

    settings = Settings()

    assert settings.data_dir == Path("/srv/ehb")
    assert settings.is_production is True
    assert settings.database_url("money") == "postgresql+asyncpg://db/money"
    assert settings.database_url("media") == "sqlite+aiosqlite:////srv/ehb/media.db"


def test_explicit_urls_win_over_the_environment(monkeypatch):
    monkeypatch.setenv("EHB_MONEY_DATABASE_URL", "postgresql+asyncpg://db/money")

    settings = Settings(database_urls={"money": "sqlite+aiosqlite:///elsewhere.db"})

    assert settings.database_url("money") == "sqlite+aiosqlite:///elsewhere.db"


def test_unknown_environment_is_rejected(monkeypatch):
    monkeypatch.setenv("EHB_ENV", "staging")

    with pytest.raises(ValueError, match="env"):
        Settings()
