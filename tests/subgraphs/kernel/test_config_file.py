"""`[subgraphs]` and `[subgraphs.<name>]` of ehb.toml under the `EHB_*` environment."""

from __future__ import annotations

from pathlib import Path

import pytest

from subgraphs.kernel.settings import Settings

REPO_ROOT = Path(__file__).resolve().parents[3]

FILE = """
[subgraphs]
db_pool_size = 7
outbox_poll_seconds = 2.5
broadcast_url = "redis://127.0.0.1:6379/0"

[subgraphs.money]
db_pool_size = 20
database_urls = { money = "postgresql+asyncpg://ehb@db/money" }
"""


@pytest.fixture
def config_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "ehb.toml"
    path.write_text(FILE)
    for name in ("EHB_DB_POOL_SIZE", "EHB_OUTBOX_POLL_SECONDS", "EHB_BROADCAST_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("EHB_CONFIG", str(path))
    return path


def test_the_shared_table_applies_to_every_subgraph(config_file: Path) -> None:
    for settings in (Settings(), Settings.for_subgraph("identity")):
        assert settings.db_pool_size == 7
        assert settings.outbox_poll_seconds == 2.5
        assert settings.broadcast_url == "redis://127.0.0.1:6379/0"


def test_a_subgraph_table_overrides_the_shared_one_for_that_subgraph_only(
    config_file: Path,
) -> None:
    money = Settings.for_subgraph("money")

    assert isinstance(money, Settings)
    assert money.db_pool_size == 20
    assert money.outbox_poll_seconds == 2.5
    assert money.database_url("money") == "postgresql+asyncpg://ehb@db/money"
    assert Settings.for_subgraph("commerce").db_pool_size == 7


def test_environment_variables_win_over_both_tables(
    config_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EHB_DB_POOL_SIZE", "3")

    assert Settings.for_subgraph("money").db_pool_size == 3
    assert Settings().db_pool_size == 3


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "[subgraphs]\ndb_pool_sise = 7\n",
            "unknown subgraph setting 'db_pool_sise' in [subgraphs]",
        ),
        (
            "[subgraphs.money]\noutbox_relai = false\n",
            "unknown subgraph setting 'outbox_relai' in [subgraphs.money]",
        ),
        ("[subgraphs]\nmoney = 1\n", "money must be a table"),
    ],
)
def test_a_typo_names_the_key_and_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, message: str
) -> None:
    path = tmp_path / "ehb.toml"
    path.write_text(text)
    monkeypatch.setenv("EHB_CONFIG", str(path))

    with pytest.raises(ValueError) as raised:
        Settings.for_subgraph("money")

    assert message in str(raised.value)
    assert str(path) in str(raised.value)


def test_the_shipped_example_file_is_valid(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("EHB_DB_POOL_SIZE", raising=False)
    monkeypatch.setenv("EHB_CONFIG", str(REPO_ROOT / "ehb.example.toml"))

    assert Settings.for_subgraph("money").db_pool_size == 10
    assert Settings().db_pool_size == 5
