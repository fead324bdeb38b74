"""Database plumbing: metadata conventions, a UTC datetime column type, engines and sessions.

Engines are only ever created by `open_database`, called from the app lifespan (or migrations),
never at import time.

A PostgreSQL server that cannot be reached (stopped, restarting, out of connections) or that
drops a connection mid-statement raises `DatabaseUnavailable`: the client gets a
DATABASE_UNAVAILABLE error instead of an opaque internal one. Connections are checked before
use (`pool_pre_ping`) and a dropped one invalidates the pool, so once the server is back the
next request reconnects, without restarting the process.
"""

from __future__ import annotations

import sqlite3
import uuid
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
from sqlalchemy import DateTime, MetaData, event
from sqlalchemy.engine import Dialect, ExceptionContext, make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import ConnectionPoolEntry
from sqlalchemy.types import TypeDecorator

from subgraphs.kernel.errors import DatabaseUnavailable
from subgraphs.kernel.session import SerialSession
from subgraphs.kernel.settings import Settings
from subgraphs.kernel.statement_timing import count_statements_per_request

NAMING_CONVENTION: dict[str, str] = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def new_metadata() -> MetaData:
    """Metadata for one subgraph's DeclarativeBase, with deterministic constraint names."""
    return MetaData(naming_convention=NAMING_CONVENTION)


def new_id() -> str:
    """A fresh entity id (UUID4 string)."""
    return str(uuid.uuid4())


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp on every backend (SQLite drops tzinfo on its own)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; pass a timezone-aware UTC value")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _enable_sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _use_write_ahead_log(path: str) -> None:
    """Put the database file in WAL mode (a property of the file, kept across connections).

    Done once, before the engine's connections exist: two connections converting a new file at
    the same time fail with "database is locked" without SQLite's busy wait (the relay's engine
    and a request's did, in CI). A file that cannot be opened is left to the engine's connections
    to report, as they would for any unreachable database (`/ready` says so)."""
    try:
        with closing(sqlite3.connect(path, timeout=30)) as connection:
            connection.execute("PRAGMA journal_mode=WAL")
    except sqlite3.Error:
        return


UNAVAILABLE_MESSAGE = "The database is unavailable right now; try again shortly."
# Failures to open a connection that say the server is away (not that we are misconfigured).
_AWAY_ON_CONNECT: tuple[type[BaseException], ...] = (
    OSError,  # refused, unreachable, timed out
    asyncpg.CannotConnectNowError,  # starting up or shutting down
    asyncpg.TooManyConnectionsError,
    asyncpg.ConnectionDoesNotExistError,
)


def _connect_or_unavailable(
    dialect: Dialect, _record: ConnectionPoolEntry, cargs: tuple[Any, ...], cparams: dict[str, Any]
) -> Any:
    try:
        return dialect.connect(*cargs, **cparams)
    except _AWAY_ON_CONNECT as error:
        raise DatabaseUnavailable(UNAVAILABLE_MESSAGE) from error


def _unavailable_on_disconnect(context: ExceptionContext) -> BaseException | None:
    """The error a statement raises when its connection died (the pool is invalidated). A
    failed pre-ping is left alone: the pool reconnects then. So is a cancellation (SQLAlchemy
    counts a statement cancelled mid-flight as a disconnect): the task must still see
    `CancelledError`, or a background loop catching `Exception` would never stop."""
    if not isinstance(context.original_exception, Exception):
        return None
    if context.is_disconnect and not context.is_pre_ping:
        return DatabaseUnavailable(UNAVAILABLE_MESSAGE)
    return None


def create_engine(database_url: str, settings: Settings | None = None) -> AsyncEngine:
    """An async engine; SQLite gets WAL + foreign keys and its directory created."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
            _use_write_ahead_log(url.database)
        engine = create_async_engine(url)
        event.listen(engine.sync_engine, "connect", _enable_sqlite_pragmas)
        return engine
    settings = settings or Settings()
    engine = create_async_engine(
        url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        pool_timeout=settings.db_pool_timeout_seconds,
        pool_pre_ping=True,
        connect_args={"timeout": settings.db_connect_timeout_seconds},
    )
    event.listen(engine.sync_engine, "do_connect", _connect_or_unavailable)
    event.listen(engine.sync_engine, "handle_error", _unavailable_on_disconnect)
    return engine


@dataclass(frozen=True, slots=True)
class Database:
    """One subgraph's engine and session factory, owned by the app lifespan."""

    engine: AsyncEngine
    sessions: async_sessionmaker[SerialSession]

    async def dispose(self) -> None:
        await self.engine.dispose()


def open_database(database_url: str, settings: Settings | None = None) -> Database:
    engine = create_engine(database_url, settings)
    if settings is not None and settings.sql_statement_timing:
        count_statements_per_request(engine)
    # expire_on_commit=False: objects returned by a mutation stay readable after the commit.
    # SerialSession: sibling resolvers of one request may share the session concurrently.
    sessions = async_sessionmaker(
        engine, class_=SerialSession, expire_on_commit=False, autoflush=True
    )
    return Database(engine=engine, sessions=sessions)
