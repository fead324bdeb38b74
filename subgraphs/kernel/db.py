"""Database plumbing: metadata conventions, a UTC datetime column type, engines and sessions.

Engines are only ever created by `open_database`, called from the app lifespan (or migrations),
never at import time.
"""

from __future__ import annotations

import sqlite3
import uuid
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import DateTime, MetaData, event
from sqlalchemy.engine import Dialect, make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.types import TypeDecorator

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
    return create_async_engine(
        url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        pool_timeout=settings.db_pool_timeout_seconds,
        pool_pre_ping=True,
    )


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
