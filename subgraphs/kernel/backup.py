"""Back up and restore subgraph databases (`ehb backup`, `ehb restore`).

A backup is one file per subgraph per run, `<subgraph>-<UTC timestamp>.<format>`, holding only
that subgraph's tables (`<subgraph>_*`, its Alembic version table included), since subgraphs may
share one database:
- PostgreSQL: `pg_dump --format=custom` (`.pgdump`), restored with `pg_restore` piped into one
  `psql --single-transaction` that first drops the subgraph's current tables, so a failed
  restore leaves the database as it was.
- SQLite: the online backup API (`sqlite3.Connection.backup`, consistent while the app writes)
  into a `.sqlite3` file, restored table by table in one transaction.

A restore refuses a database that is in use (other PostgreSQL sessions; other processes holding
the SQLite file open) or whose subgraph tables hold rows, unless forced.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Literal
from urllib.parse import quote, urlencode

from sqlalchemy.engine import URL, make_url

from subgraphs import SUBGRAPH_NAMES
from subgraphs.kernel.migrations import version_table
from subgraphs.kernel.settings import Settings

Backend = Literal["postgresql", "sqlite"]
EXTENSIONS: dict[Backend, str] = {"postgresql": ".pgdump", "sqlite": ".sqlite3"}
TIMESTAMP_FORMAT = "%Y%m%dT%H%M%S%fZ"
BACKUP_NAME = re.compile(
    r"^(?P<subgraph>[a-z]+)-(?P<timestamp>\d{8}T\d{12}Z)(?P<extension>\.pgdump|\.sqlite3)$"
)
# asyncpg URL parameters that libpq understands under the same name (others are dropped).
LIBPQ_PARAMETERS = frozenset(
    {
        "sslmode",
        "sslrootcert",
        "sslcert",
        "sslkey",
        "sslcrl",
        "application_name",
        "connect_timeout",
        "options",
        "target_session_attrs",
        "host",
        "port",
    }
)


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why and what to do."""


@dataclass(frozen=True, slots=True)
class BackupFile:
    path: Path
    subgraph: str
    created_at: datetime
    backend: Backend

    @property
    def size_bytes(self) -> int:
        return self.path.stat().st_size

    @classmethod
    def from_path(cls, path: Path) -> BackupFile | None:
        """The backup a file name describes, or None for any other file."""
        match = BACKUP_NAME.match(path.name)
        if match is None or match["subgraph"] not in SUBGRAPH_NAMES:
            return None
        created_at = datetime.strptime(match["timestamp"], TIMESTAMP_FORMAT).replace(tzinfo=UTC)
        backend: Backend = "postgresql" if match["extension"] == ".pgdump" else "sqlite"
        return cls(path=path, subgraph=match["subgraph"], created_at=created_at, backend=backend)


def backup_directory(settings: Settings, directory: Path | None = None) -> Path:
    """`directory` when given, else EHB_BACKUP_DIR, else `<EHB_DATA_DIR>/backups`."""
    if directory is not None:
        return directory
    return settings.backup_dir or settings.data_dir / "backups"


def list_backups(directory: Path, subgraph: str | None = None) -> list[BackupFile]:
    """The backups in `directory` (of one subgraph when given), oldest first."""
    if not directory.is_dir():
        return []
    found = (BackupFile.from_path(path) for path in directory.iterdir() if path.is_file())
    backups = [b for b in found if b is not None and subgraph in (None, b.subgraph)]
    return sorted(backups, key=lambda b: (b.created_at, b.subgraph))


def find_backup(directory: Path, reference: str, subgraph: str) -> BackupFile:
    """The backup of `subgraph` that `reference` names: "latest", a file name in `directory`,
    or a path."""
    if reference == "latest":
        backups = list_backups(directory, subgraph)
        if not backups:
            raise BackupError(f"no {subgraph} backup in {directory} (run `ehb backup` first)")
        return backups[-1]
    backup = resolve_backup_path(directory, reference)
    if backup.subgraph != subgraph:
        raise BackupError(f"{backup.path.name} is a backup of {backup.subgraph}, not of {subgraph}")
    return backup


def resolve_backup_path(directory: Path, reference: str) -> BackupFile:
    """The backup at path `reference`, or named `reference` in `directory`."""
    candidates = [Path(reference), directory / reference]
    path = next((candidate for candidate in candidates if candidate.is_file()), None)
    if path is None:
        raise BackupError(
            f"no backup file {reference!r} (looked in {directory} and the current directory; "
            "`ehb backup --list` shows the backups)"
        )
    backup = BackupFile.from_path(path)
    if backup is None:
        raise BackupError(
            f"{path} is not named like a backup (<subgraph>-<YYYYMMDDTHHMMSSffffff>Z.pgdump "
            "or .sqlite3)"
        )
    return backup


def back_up(name: str, settings: Settings, directory: Path) -> BackupFile:
    """Write a backup of subgraph `name`'s database into `directory`."""
    _check_subgraph(name)
    url = make_url(settings.database_url(name))
    backend = _backend(url, name)
    directory.mkdir(parents=True, exist_ok=True)
    created_at = datetime.now(UTC)
    path = directory / f"{name}-{created_at.strftime(TIMESTAMP_FORMAT)}{EXTENSIONS[backend]}"
    # Written under a temporary name and renamed once complete: no half-written backups.
    partial = path.with_name(path.name + ".partial")
    try:
        if backend == "postgresql":
            _pg_dump(name, url, partial)
        else:
            _sqlite_backup(name, _sqlite_path(url, name), partial)
        partial.rename(path)
    finally:
        partial.unlink(missing_ok=True)
    return BackupFile(path=path, subgraph=name, created_at=created_at, backend=backend)


def check_restorable(backup: BackupFile, settings: Settings, *, force: bool) -> None:
    """Raise BackupError when `backup` cannot (or, without `force`, should not) be restored
    into its subgraph's database."""
    url = make_url(settings.database_url(backup.subgraph))
    backend = _backend(url, backup.subgraph)
    if backend != backup.backend:
        raise BackupError(
            f"{backup.path.name} is a {backup.backend} backup but {backup.subgraph}'s database "
            f"is {backend}"
        )
    if force:
        return
    if backend == "postgresql":
        users = _pg_other_sessions(url)
        tables_with_rows = _pg_tables_with_rows(backup.subgraph, url)
    else:
        path = _sqlite_path(url, backup.subgraph)
        users = _processes_holding(path)
        tables_with_rows = _sqlite_tables_with_rows(backup.subgraph, path) if path.exists() else []
    if users:
        raise BackupError(
            f"{backup.subgraph}'s database is in use ({users}); stop the services using it, "
            "or pass --force"
        )
    if tables_with_rows:
        raise BackupError(
            f"{backup.subgraph}'s database is not empty ({', '.join(tables_with_rows)} hold "
            "rows); its tables would be replaced: pass --force to do so"
        )


def restore(backup: BackupFile, settings: Settings, *, force: bool = False) -> None:
    """Replace subgraph `backup.subgraph`'s tables with those in `backup` (all or nothing)."""
    check_restorable(backup, settings, force=force)
    url = make_url(settings.database_url(backup.subgraph))
    if backup.backend == "postgresql":
        _pg_restore(backup, url)
    else:
        _sqlite_restore(backup, _sqlite_path(url, backup.subgraph))


# --- CLI ---------------------------------------------------------------------------------------


def run_backup(subgraph: str | None, directory: Path | None, *, list_only: bool) -> int:
    """`ehb backup [--subgraph NAME] [--dir DIR] [--list]`."""
    settings = Settings()
    target = backup_directory(settings, directory)
    try:
        if list_only:
            print(format_backup_list(list_backups(target, subgraph), target))
            return 0
        for name in [subgraph] if subgraph else SUBGRAPH_NAMES:
            backup = back_up(name, settings, target)
            print(f"{name}: {backup.path} ({human_size(backup.size_bytes)})")
    except (BackupError, OSError, sqlite3.Error) as error:
        print(f"ehb backup: {error}", file=sys.stderr)
        return 1
    return 0


def run_restore(
    reference: str, subgraph: str | None, directory: Path | None, *, force: bool
) -> int:
    """`ehb restore BACKUP|latest [--subgraph NAME] [--dir DIR] [--force]`: every backup is
    found and checked before the first one is restored."""
    settings = Settings()
    source = backup_directory(settings, directory)
    try:
        backups = _backups_to_restore(source, reference, subgraph)
        for backup in backups:
            check_restorable(backup, settings, force=force)
        for backup in backups:
            restore(backup, settings, force=True)
            print(f"{backup.subgraph}: restored {backup.path.name}")
    except (BackupError, OSError, sqlite3.Error) as error:
        print(f"ehb restore: {error}", file=sys.stderr)
        return 1
    return 0


def _backups_to_restore(directory: Path, reference: str, subgraph: str | None) -> list[BackupFile]:
    if subgraph is not None:
        _check_subgraph(subgraph)
        return [find_backup(directory, reference, subgraph)]
    if reference == "latest":
        return [find_backup(directory, reference, name) for name in SUBGRAPH_NAMES]
    return [resolve_backup_path(directory, reference)]


def format_backup_list(backups: Sequence[BackupFile], directory: Path) -> str:
    if not backups:
        return f"no backups in {directory}"
    rows = [("SUBGRAPH", "SIZE", "CREATED (UTC)", "FILE")]
    for backup in backups:
        created = backup.created_at.strftime("%Y-%m-%d %H:%M:%S")
        rows.append((backup.subgraph, human_size(backup.size_bytes), created, backup.path.name))
    widths = [max(len(row[column]) for row in rows) for column in range(3)]
    return "\n".join(
        "  ".join([*(cell.ljust(width) for cell, width in zip(row, widths, strict=False)), row[3]])
        for row in rows
    )


def human_size(size: int) -> str:
    value = float(size)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{size} B" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    raise AssertionError(size)


# --- shared ------------------------------------------------------------------------------------


def _check_subgraph(name: str) -> None:
    if name not in SUBGRAPH_NAMES:
        raise BackupError(f"unknown subgraph {name!r}; expected one of {', '.join(SUBGRAPH_NAMES)}")


def _backend(url: URL, name: str) -> Backend:
    backend = url.get_backend_name()
    if backend == "postgresql":
        return "postgresql"
    if backend == "sqlite":
        return "sqlite"
    raise BackupError(f"{name}'s database is {backend}; only PostgreSQL and SQLite are backed up")


def _own_relation(name: str, relation: str) -> bool:
    return relation.startswith(f"{name}_")


def _own_data_tables(name: str, tables: Iterable[str]) -> list[str]:
    return sorted(t for t in tables if _own_relation(name, t) and t != version_table(name))


def _quote_identifier(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


# --- SQLite ------------------------------------------------------------------------------------


def _sqlite_path(url: URL, name: str) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError(f"{name}'s database is in memory; there is nothing on disk to back up")
    return Path(url.database)


def _connect_existing(path: Path) -> sqlite3.Connection:
    """A connection to the existing SQLite file `path` (never creating one)."""
    if not path.is_file():
        raise BackupError(f"no SQLite database at {path} (run `ehb migrate` first)")
    return sqlite3.connect(f"file:{quote(str(path.resolve()))}?mode=rw", uri=True, timeout=30)


def _sqlite_tables(connection: sqlite3.Connection, schema: str = "main") -> list[str]:
    rows = connection.execute(
        f"SELECT name FROM {schema}.sqlite_master WHERE type = 'table' "
        "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY rowid"
    )
    return [row[0] for row in rows]


def _sqlite_backup(name: str, source_path: Path, target: Path) -> None:
    with contextlib.closing(_connect_existing(source_path)) as source:
        if not any(_own_relation(name, t) for t in _sqlite_tables(source)):
            raise BackupError(
                f"{source_path} has no {name} tables; nothing to back up (run `ehb migrate {name}`)"
            )
        with contextlib.closing(sqlite3.connect(target)) as copy:
            source.backup(copy)
    # The file may be shared with other subgraphs: keep only this one's tables, in one file.
    with contextlib.closing(sqlite3.connect(target, isolation_level=None)) as copy:
        copy.execute("PRAGMA journal_mode=DELETE")
        for table in _sqlite_tables(copy):
            if not _own_relation(name, table):
                copy.execute(f"DROP TABLE {_quote_identifier(table)}")
        copy.execute("VACUUM")


def _sqlite_tables_with_rows(name: str, path: Path) -> list[str]:
    with contextlib.closing(_connect_existing(path)) as connection:
        tables = _own_data_tables(name, _sqlite_tables(connection))
        return [
            table
            for table in tables
            if connection.execute(f"SELECT 1 FROM {_quote_identifier(table)} LIMIT 1").fetchone()
        ]


def _sqlite_restore(backup: BackupFile, path: Path) -> None:
    name = backup.subgraph
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        sqlite3.connect(path).close()
    with contextlib.closing(_connect_existing(path)) as connection:
        connection.isolation_level = None  # explicit BEGIN/COMMIT below
        connection.execute("PRAGMA foreign_keys=OFF")  # tables are replaced in any order
        backup_uri = f"file:{quote(str(backup.path.resolve()))}?mode=ro"
        try:
            connection.execute("ATTACH DATABASE ? AS backup", (backup_uri,))
            try:
                connection.execute("BEGIN IMMEDIATE")
                _sqlite_replace_tables(connection, name)
                connection.execute("COMMIT")
            finally:
                if connection.in_transaction:  # failed: nothing of it stays
                    connection.execute("ROLLBACK")
                connection.execute("DETACH DATABASE backup")
        except sqlite3.Error as error:
            raise BackupError(
                f"restoring {backup.path.name} failed, nothing changed: {error}"
            ) from error


def _sqlite_replace_tables(connection: sqlite3.Connection, name: str) -> None:
    for table in _sqlite_tables(connection):
        if _own_relation(name, table):
            connection.execute(f"DROP TABLE main.{_quote_identifier(table)}")
    definitions = connection.execute(
        "SELECT type, name, tbl_name, sql FROM backup.sqlite_master "
        "WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' "
        "ORDER BY CASE type WHEN 'table' THEN 0 ELSE 1 END, rowid"
    ).fetchall()
    for kind, object_name, table, sql in definitions:
        if not _own_relation(name, table):
            continue
        connection.execute(sql)  # unqualified CREATE: lands in main
        if kind == "table":
            columns = ", ".join(
                _quote_identifier(row[1])
                for row in connection.execute(
                    f"PRAGMA backup.table_info({_quote_identifier(object_name)})"
                )
            )
            quoted = _quote_identifier(object_name)
            connection.execute(
                f"INSERT INTO main.{quoted} ({columns}) SELECT {columns} FROM backup.{quoted}"
            )


def _processes_holding(path: Path) -> str:
    """Other processes (of this user; Linux /proc) with the SQLite file or its WAL open, as
    "pid 12, pid 34", or "" when none is found."""
    proc = Path("/proc")
    resolved = path.resolve()
    watched = {str(resolved), f"{resolved}-wal", f"{resolved}-shm"}
    pids: list[str] = []
    for entry in proc.iterdir() if proc.is_dir() else []:
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            descriptors = list((entry / "fd").iterdir())
        except OSError:  # another user's process, or gone
            continue
        for descriptor in descriptors:
            try:
                if os.readlink(descriptor) in watched:
                    pids.append(f"pid {entry.name}")
                    break
            except OSError:
                continue
    return ", ".join(pids)


# --- PostgreSQL --------------------------------------------------------------------------------


def libpq_connection(url: URL) -> tuple[str, dict[str, str]]:
    """A libpq URL (for pg_dump, pg_restore, psql) of SQLAlchemy `url`, and the environment
    carrying its password (kept out of the process list)."""
    query: dict[str, str] = {}
    for key, value in url.query.items():
        text = value if isinstance(value, str) else value[-1]
        if key == "ssl":  # asyncpg's name; true/false or a libpq sslmode
            query["sslmode"] = {"true": "require", "false": "disable"}.get(text.lower(), text)
        elif key in LIBPQ_PARAMETERS:
            query[key] = text
    user = quote(url.username or "", safe="")
    host = url.host or ""
    if ":" in host:  # an IPv6 address
        host = f"[{host}]"
    port = f":{url.port}" if url.port else ""
    authority = f"{user}@{host}{port}" if user else f"{host}{port}"
    database = quote(url.database or "", safe="")
    libpq_url = f"postgresql://{authority}/{database}"
    if query:
        libpq_url += "?" + urlencode(query)
    environment = dict(os.environ)
    if url.password is not None:
        environment["PGPASSWORD"] = str(url.password)
    return libpq_url, environment


def _pg_tool(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        raise BackupError(
            f"{tool} is not on PATH; install the PostgreSQL client tools (Debian: "
            "postgresql-client) of the server's major version"
        )
    return path


def _psql(url: URL, sql: str) -> list[list[str]]:
    """Rows of one query through psql (unaligned, tab-separated)."""
    libpq_url, environment = libpq_connection(url)
    command = [_pg_tool("psql"), "-X", "-q", "-A", "-t", "-F", "\t", "-v", "ON_ERROR_STOP=1"]
    result = subprocess.run(
        [*command, "-d", libpq_url, "-c", sql],
        capture_output=True,
        text=True,
        env=environment,
        check=False,
    )
    if result.returncode != 0:
        raise BackupError(f"cannot query {_safe(url)}: {result.stderr.strip()}")
    return [line.split("\t") for line in result.stdout.splitlines() if line]


def _pg_own_relations(name: str, url: URL) -> list[tuple[str, str, str]]:
    """(schema, name, kind) of subgraph `name`'s tables, sequences and views in the current
    schema (kind: r table, p partitioned table, S sequence, v view, m materialized view)."""
    rows = _psql(
        url,
        "SELECT n.nspname, c.relname, c.relkind FROM pg_class c "
        "JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'S', 'v', 'm') "
        "ORDER BY c.relname",
    )
    return [(row[0], row[1], row[2]) for row in rows if _own_relation(name, row[1])]


def _qualified(schema: str, relation: str) -> str:
    return f"{_quote_identifier(schema)}.{_quote_identifier(relation)}"


def _pg_dump(name: str, url: URL, target: Path) -> None:
    relations = _pg_own_relations(name, url)
    if not any(kind in ("r", "p") for _, _, kind in relations):
        raise BackupError(
            f"{_safe(url)} has no {name} tables; nothing to back up (run `ehb migrate {name}`)"
        )
    libpq_url, environment = libpq_connection(url)
    selection = [f"--table={_qualified(schema, rel)}" for schema, rel, _ in relations]
    command = [_pg_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges"]
    result = subprocess.run(
        [*command, *selection, f"--file={target}", f"--dbname={libpq_url}"],
        capture_output=True,
        text=True,
        env=environment,
        check=False,
    )
    if result.returncode != 0:
        raise BackupError(f"pg_dump of {name} failed: {result.stderr.strip()}")


def _pg_other_sessions(url: URL) -> str:
    rows = _psql(
        url,
        "SELECT count(*) FROM pg_stat_activity "
        "WHERE datname = current_database() AND pid <> pg_backend_pid() "
        "AND backend_type = 'client backend'",
    )
    count = int(rows[0][0])
    return f"{count} other session(s) connected" if count else ""


def _pg_tables_with_rows(name: str, url: URL) -> list[str]:
    tables = {
        relation: schema
        for schema, relation, kind in _pg_own_relations(name, url)
        if kind in ("r", "p")
    }
    candidates = _own_data_tables(name, list(tables))
    if not candidates:
        return []
    checks = ", ".join(
        f"EXISTS (SELECT 1 FROM {_qualified(tables[table], table)})" for table in candidates
    )
    flags = _psql(url, f"SELECT {checks}")[0]
    return [table for table, flag in zip(candidates, flags, strict=True) if flag == "t"]


def _pg_restore(backup: BackupFile, url: URL) -> None:
    """pg_restore's SQL, after dropping the subgraph's current relations, run by one psql
    transaction: on any error nothing changes."""
    name = backup.subgraph
    drops = "".join(
        f"DROP {_DROP_KIND[kind]} IF EXISTS {_qualified(schema, relation)} CASCADE;\n"
        for schema, relation, kind in _pg_own_relations(name, url)
    )
    libpq_url, environment = libpq_connection(url)
    restore_command = [_pg_tool("pg_restore"), "--no-owner", "--no-privileges", "--file=-"]
    psql_command = [_pg_tool("psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "--single-transaction"]
    # stderr goes to files: a pipe nobody reads while the script streams could fill and block.
    with (
        tempfile.TemporaryFile() as restore_errors,
        tempfile.TemporaryFile() as psql_errors,
        subprocess.Popen(
            [*restore_command, str(backup.path)], stdout=subprocess.PIPE, stderr=restore_errors
        ) as script,
        subprocess.Popen(
            [*psql_command, "-d", libpq_url],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=psql_errors,
            env=environment,
        ) as psql,
    ):
        assert script.stdout is not None and psql.stdin is not None
        try:
            psql.stdin.write(drops.encode())
            shutil.copyfileobj(script.stdout, psql.stdin)
        except BrokenPipeError:  # psql stopped at an error; its stderr says which
            pass
        script.stdout.close()
        script.wait()
        if script.returncode != 0:
            # psql commits when its input ends: end it without that, rolling everything back.
            psql.kill()
            psql.wait()
        with contextlib.suppress(BrokenPipeError):
            psql.stdin.close()
        psql.wait()
        if script.returncode != 0:
            message = _read_errors(restore_errors)
            raise BackupError(f"pg_restore cannot read {backup.path.name}: {message}")
        if psql.returncode != 0:
            message = _read_errors(psql_errors)
            raise BackupError(f"restoring {backup.path.name} failed, nothing changed: {message}")


def _read_errors(stream: IO[bytes]) -> str:
    stream.seek(0)
    lines = stream.read().decode(errors="replace").splitlines()
    return "\n".join(line for line in lines if "NOTICE:" not in line).strip()


_DROP_KIND = {"r": "TABLE", "p": "TABLE", "S": "SEQUENCE", "v": "VIEW", "m": "MATERIALIZED VIEW"}


def _safe(url: URL) -> str:
    """The URL without its password, for messages."""
    return url.render_as_string(hide_password=True)
