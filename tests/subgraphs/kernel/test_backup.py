"""`ehb backup` / `ehb restore` on SQLite: the data of a backup comes back, backups are listed,
and every refusal says what to do. tests/production/test_backup_on_postgres.py runs the same
round trip on PostgreSQL (`restore_brings_the_data_back` is shared)."""

from __future__ import annotations

import asyncio
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import pytest
from sqlalchemy import delete, select, update

from router.cli import main
from subgraphs import SUBGRAPH_NAMES
from subgraphs.commerce.models import Seller
from subgraphs.kernel.backup import (
    BackupError,
    BackupFile,
    back_up,
    find_backup,
    list_backups,
    restore,
)
from subgraphs.kernel.db import open_database
from subgraphs.kernel.migrations import migrate_to_head_async
from subgraphs.kernel.settings import Settings
from subgraphs.kernel.testing import migrated_settings, sqlite_settings

ORIGINAL_SELLERS = {"user-a": "Ada's Antiques", "user-b": "Bob's Books"}


async def write_sellers(settings: Settings, sellers: dict[str, str]) -> None:
    database = open_database(settings.database_url("commerce"))
    try:
        async with database.sessions.begin() as session:
            session.add_all(Seller(user_id=u, display_name=n) for u, n in sellers.items())
    finally:
        await database.dispose()


async def read_sellers(settings: Settings) -> dict[str, str]:
    database = open_database(settings.database_url("commerce"))
    try:
        async with database.sessions() as session:
            rows = await session.execute(select(Seller.user_id, Seller.display_name))
            return {user_id: name for user_id, name in rows}
    finally:
        await database.dispose()


async def change_sellers(settings: Settings) -> None:
    """Delete one original seller, rename the other and add a new one."""
    database = open_database(settings.database_url("commerce"))
    try:
        async with database.sessions.begin() as session:
            await session.execute(delete(Seller).where(Seller.user_id == "user-a"))
            await session.execute(
                update(Seller).where(Seller.user_id == "user-b").values(display_name="renamed")
            )
            session.add(Seller(user_id="user-c", display_name="Cy's Cameras"))
    finally:
        await database.dispose()


async def restore_brings_the_data_back(
    settings: Settings, empty_settings: Settings, backups: Path
) -> None:
    """Back up commerce, change its rows, restore (refused without --force since the tables
    hold rows), read the original rows; a restore into an empty migrated database needs no
    --force."""
    await write_sellers(settings, ORIGINAL_SELLERS)
    backup = await asyncio.to_thread(back_up, "commerce", settings, backups)
    assert backup.path.is_file() and backup.size_bytes > 0
    assert list_backups(backups) == [backup]

    await change_sellers(settings)
    assert await read_sellers(settings) == {"user-b": "renamed", "user-c": "Cy's Cameras"}
    with pytest.raises(BackupError, match=r"not empty \(commerce_sellers hold rows\).*--force"):
        await asyncio.to_thread(restore, backup, settings)
    assert await read_sellers(settings) == {"user-b": "renamed", "user-c": "Cy's Cameras"}

    await asyncio.to_thread(restore, backup, settings, force=True)
    assert await read_sellers(settings) == ORIGINAL_SELLERS
    await write_sellers(settings, {"user-d": "after the restore"})  # the tables still work

    await asyncio.to_thread(restore, backup, empty_settings)
    assert await read_sellers(empty_settings) == ORIGINAL_SELLERS


async def test_restore_brings_back_the_rows_of_the_backup(tmp_path: Path) -> None:
    settings = await migrated_settings("commerce", tmp_path / "live")
    empty = await migrated_settings("commerce", tmp_path / "empty")
    await restore_brings_the_data_back(settings, empty, tmp_path / "backups")


async def test_restore_into_a_missing_database_file_creates_it(tmp_path: Path) -> None:
    settings = await migrated_settings("commerce", tmp_path / "live")
    await write_sellers(settings, ORIGINAL_SELLERS)
    backup = back_up("commerce", settings, tmp_path / "backups")

    fresh = sqlite_settings("commerce", tmp_path / "fresh")
    restore(backup, fresh)
    assert await read_sellers(fresh) == ORIGINAL_SELLERS
    await migrate_to_head_async("commerce", fresh.database_url("commerce"))  # already at head


async def test_backup_holds_committed_rows_while_a_writer_is_mid_transaction(
    tmp_path: Path,
) -> None:
    settings = await migrated_settings("commerce", tmp_path)
    await write_sellers(settings, ORIGINAL_SELLERS)
    with closing(sqlite3.connect(tmp_path / "commerce.db", isolation_level=None)) as writer:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute(
            "INSERT INTO commerce_sellers (id, user_id, display_name, created_at) "
            "VALUES ('s-1', 'user-x', 'uncommitted', '2026-01-01 00:00:00')"
        )
        backup = back_up("commerce", settings, tmp_path / "backups")
        writer.execute("COMMIT")

    with closing(sqlite3.connect(backup.path)) as copy:
        names = {row[0] for row in copy.execute("SELECT display_name FROM commerce_sellers")}
        tables = {row[0] for row in copy.execute("SELECT tbl_name FROM sqlite_master")}
    assert names == set(ORIGINAL_SELLERS.values())
    assert tables and all(table.startswith("commerce_") for table in tables)


async def test_a_broken_backup_changes_nothing(tmp_path: Path) -> None:
    settings = await migrated_settings("commerce", tmp_path)
    await write_sellers(settings, ORIGINAL_SELLERS)
    backup = back_up("commerce", settings, tmp_path / "backups")
    await change_sellers(settings)
    changed = await read_sellers(settings)

    content = backup.path.read_bytes()
    backup.path.write_bytes(content[: len(content) // 2])
    with pytest.raises(BackupError, match="failed, nothing changed"):
        restore(backup, settings, force=True)
    backup.path.write_bytes(b"not a database" * 100)
    with pytest.raises(BackupError, match="failed, nothing changed"):
        restore(backup, settings, force=True)
    assert await read_sellers(settings) == changed


async def test_a_shared_file_keeps_the_other_subgraphs_tables_on_restore(tmp_path: Path) -> None:
    shared_url = f"sqlite+aiosqlite:///{tmp_path / 'shared.db'}"
    settings = Settings(data_dir=tmp_path, database_urls=dict.fromkeys(SUBGRAPH_NAMES, shared_url))
    for name in ("commerce", "media"):
        await migrate_to_head_async(name, shared_url)
    await write_sellers(settings, ORIGINAL_SELLERS)
    backup = back_up("commerce", settings, tmp_path / "backups")
    await change_sellers(settings)

    restore(backup, settings, force=True)
    assert await read_sellers(settings) == ORIGINAL_SELLERS
    with closing(sqlite3.connect(tmp_path / "shared.db")) as connection:
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
    assert {"media_videos", "media_alembic_version"} <= tables


@contextmanager
def process_holding_open(database: Path) -> Iterator[int]:
    """Another Python process with `database` open (as a running subgraph has), by pid."""
    holder_code = (
        "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); "
        "c.execute('SELECT 1 FROM commerce_sellers').fetchall(); print('open', flush=True); "
        "sys.stdin.read()"
    )
    holder = subprocess.Popen(
        [sys.executable, "-c", holder_code, str(database)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "open\n"
        yield holder.pid
    finally:
        holder.communicate("")


async def test_restore_refuses_a_database_another_process_holds_open(tmp_path: Path) -> None:
    settings = await migrated_settings("commerce", tmp_path)
    backup = back_up("commerce", settings, tmp_path / "backups")
    with process_holding_open(tmp_path / "commerce.db") as holder_pid:
        with pytest.raises(BackupError, match=rf"in use \(pid {holder_pid}\).*--force"):
            restore(backup, settings)
        restore(backup, settings, force=True)


async def test_cli_backs_up_all_six_lists_them_and_restores_the_latest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("EHB_DATA_DIR", str(tmp_path))
    for name in SUBGRAPH_NAMES:
        await migrate_to_head_async(name, Settings().database_url(name))
    settings = Settings()
    await write_sellers(settings, ORIGINAL_SELLERS)

    assert main(["backup"]) == 0
    printed = capsys.readouterr().out
    for name in SUBGRAPH_NAMES:
        assert f"{name}: {tmp_path / 'backups' / name}-" in printed
    assert main(["backup", "--subgraph", "commerce"]) == 0
    capsys.readouterr()

    assert main(["backup", "--list"]) == 0
    listing = capsys.readouterr().out.splitlines()
    assert listing[0].split() == ["SUBGRAPH", "SIZE", "CREATED", "(UTC)", "FILE"]
    backups = list_backups(tmp_path / "backups")
    assert len(listing) == 1 + len(backups) == 1 + len(SUBGRAPH_NAMES) + 1
    for line, backup in zip(listing[1:], backups, strict=True):
        subgraph, size, unit, day, time, file_name = line.split()
        assert (subgraph, file_name) == (backup.subgraph, backup.path.name)
        assert f"{day} {time}" == backup.created_at.strftime("%Y-%m-%d %H:%M:%S")
        assert unit in ("B", "KiB", "MiB") and float(size) > 0

    assert main(["backup", "--list", "--subgraph", "media"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 2

    await change_sellers(settings)
    assert main(["restore", "latest", "--subgraph", "commerce"]) == 1
    assert "not empty" in capsys.readouterr().err
    assert main(["restore", "latest", "--force"]) == 0
    restored = capsys.readouterr().out
    latest_commerce = find_backup(tmp_path / "backups", "latest", "commerce")
    assert f"commerce: restored {latest_commerce.path.name}" in restored
    assert await read_sellers(settings) == ORIGINAL_SELLERS

    await change_sellers(settings)
    assert main(["restore", str(latest_commerce.path), "--force"]) == 0
    assert await read_sellers(settings) == ORIGINAL_SELLERS


def test_unknown_subgraph_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_code:
        main(["backup", "--subgraph", "payroll", "--dir", str(tmp_path)])
    assert exit_code.value.code == 2
    assert "invalid choice: 'payroll'" in capsys.readouterr().err
    with pytest.raises(BackupError, match="unknown subgraph 'payroll'; expected one of identity"):
        back_up("payroll", Settings(data_dir=tmp_path), tmp_path)


def test_missing_backups_are_reported_clearly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["restore", "latest", "--dir", str(tmp_path)]) == 1
    assert f"no identity backup in {tmp_path} (run `ehb backup` first)" in capsys.readouterr().err

    missing = "commerce-20260101T000000000000Z.sqlite3"
    assert main(["restore", missing, "--dir", str(tmp_path)]) == 1
    assert f"no backup file {missing!r}" in capsys.readouterr().err

    assert main(["backup", "--list", "--dir", str(tmp_path / "nothing")]) == 0
    assert capsys.readouterr().out.strip() == f"no backups in {tmp_path / 'nothing'}"


async def test_mismatched_or_misnamed_backups_and_unmigrated_databases_are_refused(
    tmp_path: Path,
) -> None:
    settings = await migrated_settings("commerce", tmp_path)
    backup = back_up("commerce", settings, tmp_path / "backups")
    with pytest.raises(BackupError, match="is a backup of commerce, not of media"):
        find_backup(tmp_path / "backups", backup.path.name, "media")

    renamed = backup.path.rename(tmp_path / "commerce.bak")
    with pytest.raises(BackupError, match="is not named like a backup"):
        find_backup(tmp_path, str(renamed), "commerce")

    as_postgres = BackupFile(
        path=renamed, subgraph="commerce", created_at=backup.created_at, backend="postgresql"
    )
    with pytest.raises(
        BackupError, match="is a postgresql backup but commerce's database is sqlite"
    ):
        restore(as_postgres, settings)

    with pytest.raises(BackupError, match=r"no SQLite database at .*run `ehb migrate` first"):
        back_up("media", settings, tmp_path / "backups")
    sqlite3.connect(tmp_path / "media.db").close()
    with pytest.raises(BackupError, match="has no media tables; nothing to back up"):
        back_up("media", settings, tmp_path / "backups")
