"""Helpers for subgraph tests: a migrated temp database, a real server on an ephemeral
loopback port, a GraphQL client and an SQL statement counter. Only tests import this module.

    async with running_subgraph("money", tmp_path) as money:
        body = await money.graphql("{ wallet(id: $id) { id } }", {"id": wallet_id})
        with count_statements(money.engine) as statements:
            ...
"""

from __future__ import annotations

import asyncio
import hashlib
import importlib
import os
import uuid
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import uvicorn
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette

from subgraphs.kernel.db import Database
from subgraphs.kernel.migrations import migrate_to_head_async
from subgraphs.kernel.settings import Settings

AppFactory = Callable[[Settings], Starlette]


def sqlite_settings(name: str, directory: Path) -> Settings:
    """Settings pointing subgraph `name` at `<directory>/<name>.db` (not migrated), with the
    in-process broadcaster of `directory` (`memory_broadcast_url`)."""
    database_url = f"sqlite+aiosqlite:///{directory / f'{name}.db'}"
    return Settings(
        data_dir=directory,
        database_urls={name: database_url},
        broadcast_url=memory_broadcast_url(directory),
    )


# `EHB_TEST_DATABASE=postgres`: `database_settings` (hence `migrated_settings` and
# `running_subgraph`) give each test directory a fresh PostgreSQL database instead of SQLite
# files, so the subgraph suites run unchanged on both backends (scripts/test runs both).
TEST_DATABASE_ENV = "EHB_TEST_DATABASE"
TEST_POSTGRES_ADMIN_URL_ENV = "EHB_TEST_PG_ADMIN_URL"
_created_postgres_databases: dict[str, str] = {}


def testing_on_postgres() -> bool:
    choice = os.environ.get(TEST_DATABASE_ENV, "sqlite").strip().lower()
    if choice not in ("sqlite", "postgres"):
        raise ValueError(f"{TEST_DATABASE_ENV} must be sqlite or postgres, got {choice!r}")
    return choice == "postgres"


async def database_settings(name: str, directory: Path) -> Settings:
    """`sqlite_settings`, or with `EHB_TEST_DATABASE=postgres` the same settings on a fresh
    PostgreSQL database of `directory`'s own (shared by the subgraphs of that directory, whose
    tables are prefixed as in production)."""
    settings = sqlite_settings(name, directory)
    if not testing_on_postgres():
        return settings
    key = str(directory)
    url = _created_postgres_databases.get(key)
    if url is None:
        url = await _create_postgres_database()
        _created_postgres_databases[key] = url
    return settings.model_copy(update={"database_urls": {name: url}})


async def _create_postgres_database() -> str:
    admin_url = os.environ.get(
        TEST_POSTGRES_ADMIN_URL_ENV, "postgresql://postgres@127.0.0.1:5432/test"
    )
    name = f"ehb_suite_{os.getpid()}_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(admin_url, timeout=5)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    host = admin_url.split("://", 1)[1].rsplit("/", 1)[0]
    return f"postgresql+asyncpg://{host}/{name}"


async def drop_test_databases() -> None:
    """Drop every PostgreSQL database `database_settings` created in this process."""
    if not _created_postgres_databases:
        return
    admin = await asyncpg.connect(
        os.environ.get(TEST_POSTGRES_ADMIN_URL_ENV, "postgresql://postgres@127.0.0.1:5432/test"),
        timeout=5,
    )
    try:
        for url in _created_postgres_databases.values():
            await admin.execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')
    finally:
        await admin.close()
    _created_postgres_databases.clear()


def memory_broadcast_url(directory: Path) -> str:
    """`memory://<digest of directory>`: the apps of one test directory share an in-process
    broadcaster (as `ehb dev`'s six subgraphs do), and hear no other test's events."""
    digest = hashlib.sha256(str(Path(directory).resolve()).encode()).hexdigest()[:16]
    return f"memory://{digest}"


async def migrated_settings(name: str, directory: Path) -> Settings:
    """`database_settings` with the database upgraded to subgraph `name`'s head."""
    settings = await database_settings(name, directory)
    await migrate_to_head_async(name, settings.database_url(name))
    return settings


@asynccontextmanager
async def serve_app(app: Starlette) -> AsyncIterator[str]:
    """Run `app` (lifespan included) with uvicorn in this event loop; yields its base URL.
    WebSockets are served too (subgraph subscriptions on `/graphql`)."""
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=0,
        lifespan="on",
        log_level="warning",
        ws="websockets-sansio",
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()  # raises why it stopped
            raise RuntimeError("uvicorn stopped before starting")
        await asyncio.sleep(0.005)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


@dataclass(slots=True)
class RunningSubgraph:
    """A subgraph served over real HTTP for the duration of a test."""

    url: str
    app: Starlette
    client: httpx.AsyncClient
    headers: Mapping[str, str] = field(default_factory=dict)
    """Sent with every request (e.g. a bearer token); `graphql(headers=...)` adds to them."""

    def with_headers(self, headers: Mapping[str, str]) -> RunningSubgraph:
        """The same server and client, sending `headers` (instead of these) by default."""
        return replace(self, headers=dict(headers))

    @property
    def database(self) -> Database:
        database: Database = self.app.state.database
        return database

    @property
    def engine(self) -> AsyncEngine:
        return self.database.engine

    async def graphql(
        self,
        query: str,
        variables: Mapping[str, Any] | None = None,
        *,
        headers: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        """POST a GraphQL request; returns the decoded body (asserting HTTP 200 and JSON)."""
        sent = {**self.headers, **(headers or {})}
        return await graphql_post(self.client, self.url, query, variables, headers=sent)


async def graphql_post(
    client: httpx.AsyncClient,
    base_url: str,
    query: str,
    variables: Mapping[str, Any] | None = None,
    *,
    headers: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    response = await client.post(
        f"{base_url}/graphql",
        json={"query": query, "variables": dict(variables or {})},
        headers=dict(headers or {}),
    )
    if response.status_code != 200:
        raise AssertionError(f"HTTP {response.status_code}: {response.text}")
    body: dict[str, Any] = response.json()
    return body


def default_app_factory(name: str) -> AppFactory:
    factory: AppFactory = importlib.import_module(f"subgraphs.{name}.app").create_app
    return factory


@asynccontextmanager
async def running_subgraph(
    name: str,
    directory: Path,
    *,
    app_factory: AppFactory | None = None,
    migrate: bool = True,
    jwks_url: str | None = None,
) -> AsyncIterator[RunningSubgraph]:
    """Subgraph `name` on `database_settings` (a SQLite file in `directory` by default; migrated
    to head unless told not to), served on an ephemeral loopback port. `app_factory(settings)`
    defaults to its create_app. `jwks_url` (EHB_JWKS_URL) is where it finds the keys that sign
    bearer tokens."""
    settings = (
        await migrated_settings(name, directory)
        if migrate
        else await database_settings(name, directory)
    )
    if jwks_url is not None:
        settings = settings.model_copy(update={"jwks_url": jwks_url})
    app = (app_factory or default_app_factory(name))(settings)
    async with serve_app(app) as url, httpx.AsyncClient(timeout=10) as client:
        yield RunningSubgraph(url=url, app=app, client=client)


@contextmanager
def count_statements(engine: AsyncEngine) -> Iterator[list[str]]:
    """Collect every SQL statement `engine` sends while the block runs."""
    statements: list[str] = []

    def record(*args: Any) -> None:
        statements.append(args[2])  # (conn, cursor, statement, parameters, context, executemany)

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)


def selects(statements: list[str]) -> list[str]:
    """The SELECT statements among `statements`."""
    return [s for s in statements if s.lstrip().upper().startswith("SELECT")]
