"""`ehb backup` / `ehb restore` on PostgreSQL (pg_dump/pg_restore, custom format): the data of
a backup comes back, only the subgraph's own tables are dumped and replaced when subgraphs share
a database, a broken backup changes nothing, and a database in use is refused."""

from __future__ import annotations

import subprocess
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from router.cli import main
from subgraphs.kernel.backup import BackupError, back_up, libpq_connection, list_backups, restore
from subgraphs.kernel.migrations import migrate_to_head_async
from subgraphs.kernel.settings import Settings
from tests.conftest import CreatePostgresDatabase
from tests.subgraphs.kernel.test_backup import (
    ORIGINAL_SELLERS,
    change_sellers,
    read_sellers,
    restore_brings_the_data_back,
    write_sellers,
)

pytestmark = pytest.mark.postgres


async def migrated_commerce(create_postgres_database: CreatePostgresDatabase) -> Settings:
    url = await create_postgres_database()
    await migrate_to_head_async("commerce", url)
    return Settings(env="production", database_urls={"commerce": url})


def asyncpg_dsn(settings: Settings) -> str:
    return settings.database_url("commerce").replace("postgresql+asyncpg://", "postgresql://")


def dumped_tables(path: Path) -> set[str]:
    """The tables whose definitions a custom-format dump holds (`pg_restore --list`)."""
    contents = subprocess.run(
        ["pg_restore", "--list", str(path)], capture_output=True, text=True, check=True
    ).stdout
    return {line.split()[-2] for line in contents.splitlines() if " TABLE public " in line}


async def test_restore_brings_back_the_rows_of_the_backup(
    create_postgres_database: CreatePostgresDatabase, tmp_path: Path
) -> None:
    settings = await migrated_commerce(create_postgres_database)
    empty = await migrated_commerce(create_postgres_database)
    await restore_brings_the_data_back(settings, empty, tmp_path)


async def test_shared_database_backs_up_and_restores_only_the_subgraphs_tables(
    create_postgres_database: CreatePostgresDatabase, tmp_path: Path
) -> None:
    settings = await migrated_commerce(create_postgres_database)
    url = settings.database_url("commerce")
    await migrate_to_head_async("media", url)
    await write_sellers(settings, ORIGINAL_SELLERS)
    backup = back_up("commerce", settings, tmp_path)
    assert backup.path.name.endswith(".pgdump")

    dumped = dumped_tables(backup.path)
    assert "commerce_sellers" in dumped and "commerce_alembic_version" in dumped
    assert all(table.startswith("commerce_") for table in dumped)

    await change_sellers(settings)
    connection = await asyncpg.connect(asyncpg_dsn(settings))
    try:
        await connection.execute("INSERT INTO media_alembic_version VALUES ('kept')")
    finally:
        await connection.close()
    restore(backup, settings, force=True)
    assert await read_sellers(settings) == ORIGINAL_SELLERS
    connection = await asyncpg.connect(asyncpg_dsn(settings))
    try:
        versions = {row[0] for row in await connection.fetch("SELECT * FROM media_alembic_version")}
    finally:
        await connection.close()
    assert "kept" in versions


async def test_a_broken_backup_changes_nothing(
    create_postgres_database: CreatePostgresDatabase, tmp_path: Path
) -> None:
    settings = await migrated_commerce(create_postgres_database)
    await write_sellers(settings, ORIGINAL_SELLERS)
    backup = back_up("commerce", settings, tmp_path)
    await change_sellers(settings)
    changed = await read_sellers(settings)

    truncated = backup.path.read_bytes()
    backup.path.write_bytes(truncated[: len(truncated) // 2])
    with pytest.raises(BackupError, match="pg_restore cannot read"):
        restore(backup, settings, force=True)
    assert await read_sellers(settings) == changed


async def test_restore_refuses_a_database_in_use(
    create_postgres_database: CreatePostgresDatabase, tmp_path: Path
) -> None:
    settings = await migrated_commerce(create_postgres_database)
    backup = back_up("commerce", settings, tmp_path)
    connection = await asyncpg.connect(asyncpg_dsn(settings))
    try:
        with pytest.raises(BackupError, match=r"in use \(1 other session\(s\) connected\)"):
            restore(backup, settings)
    finally:
        await connection.close()
    restore(backup, settings)  # empty tables, nobody connected


async def test_cli_backs_up_lists_and_restores_through_the_environment(
    create_postgres_database: CreatePostgresDatabase,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    settings = await migrated_commerce(create_postgres_database)
    monkeypatch.setenv("EHB_COMMERCE_DATABASE_URL", settings.database_url("commerce"))
    monkeypatch.setenv("EHB_BACKUP_DIR", str(tmp_path / "backups"))
    await write_sellers(settings, ORIGINAL_SELLERS)

    assert main(["backup", "--subgraph", "commerce"]) == 0
    assert "commerce: " in capsys.readouterr().out
    assert main(["backup", "--list"]) == 0
    listing = capsys.readouterr().out.splitlines()
    (backup,) = list_backups(tmp_path / "backups")
    assert listing[1].startswith("commerce") and listing[1].endswith(backup.path.name)

    await change_sellers(settings)
    assert main(["restore", backup.path.name, "--force"]) == 0
    assert await read_sellers(settings) == ORIGINAL_SELLERS


def test_asyncpg_urls_become_libpq_urls_with_the_password_in_the_environment() -> None:
    url = make_url(
        "postgresql+asyncpg://ehb:s3cr%40t@db.internal:6432/ehb_money"
        "?ssl=require&prepared_statement_cache_size=0"
    )
    libpq_url, environment = libpq_connection(url)
    assert libpq_url == "postgresql://ehb@db.internal:6432/ehb_money?sslmode=require"
    assert environment["PGPASSWORD"] == "s3cr@t"
