"""Fixtures every test folder shares."""

from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import NoReturn

import asyncpg
import pytest
import redis.asyncio as aioredis
from redis.exceptions import RedisError

from subgraphs.kernel.testing import drop_test_databases, testing_on_postgres

REPO_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def npm_tools() -> None:
    """The Node.js oracles and clients in tools/node (installed on first use)."""
    subprocess.run([str(REPO_ROOT / "scripts" / "npm-tools")], check=True)


# --- PostgreSQL (production mode) -------------------------------------------------------------

PG_HOST, PG_PORT = "127.0.0.1", 5432
PG_ADMIN_DATABASES = ("postgres", "test")  # where CREATE/DROP DATABASE is issued from


def _pg_user() -> str:
    return os.environ.get("EHB_TEST_PG_USER", "postgres")


def _service_missing(message: str) -> NoReturn:
    """In CI (EHB_CI set) a missing service fails the test; elsewhere it skips it."""
    if os.environ.get("EHB_CI"):
        pytest.fail(f"{message} (EHB_CI is set: production-mode tests must run)", pytrace=False)
    pytest.skip(message)


async def _pg_admin_connection() -> asyncpg.Connection:
    errors: list[str] = []
    for database in PG_ADMIN_DATABASES:
        try:
            connection: asyncpg.Connection = await asyncpg.connect(
                host=PG_HOST, port=PG_PORT, user=_pg_user(), database=database, timeout=5
            )
        except (OSError, asyncpg.PostgresError, TimeoutError) as error:
            errors.append(f"{database}: {error}")
            continue
        return connection
    _service_missing(
        f"PostgreSQL unreachable on {PG_HOST}:{PG_PORT} as user {_pg_user()!r} "
        f"({'; '.join(errors)}); start it with scripts/services"
    )


CreatePostgresDatabase = Callable[[], Awaitable[str]]


@pytest.fixture(scope="session")
async def create_postgres_database() -> AsyncIterator[CreatePostgresDatabase]:
    """A factory of fresh, uniquely named PostgreSQL databases (async SQLAlchemy URLs); every
    one is dropped when the session ends."""
    admin = await _pg_admin_connection()
    created: list[str] = []

    async def create() -> str:
        name = f"ehb_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
        await admin.execute(f'CREATE DATABASE "{name}"')
        created.append(name)
        return f"postgresql+asyncpg://{_pg_user()}@{PG_HOST}:{PG_PORT}/{name}"

    try:
        yield create
    finally:
        for name in created:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


@pytest.fixture(scope="session")
async def postgres_url(create_postgres_database: CreatePostgresDatabase) -> str:
    """`postgresql+asyncpg://...` of an empty database of this test session's own."""
    return await create_postgres_database()


# --- Redis (production broadcaster) -----------------------------------------------------------

REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379


@pytest.fixture(scope="session")
async def redis_url() -> str:
    """`redis://...` of the local Redis (skips when unreachable, fails under EHB_CI)."""
    url = os.environ.get("EHB_TEST_REDIS_URL", f"redis://{REDIS_HOST}:{REDIS_PORT}/0")
    client = aioredis.Redis.from_url(url, socket_connect_timeout=5)
    try:
        await client.ping()
    except (OSError, RedisError) as error:
        _service_missing(f"Redis unreachable at {url} ({error}); start it with scripts/services")
    finally:
        await client.aclose()
    return url


# --- the subgraph suites on PostgreSQL (EHB_TEST_DATABASE=postgres, scripts/test) --------------


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not testing_on_postgres():
        return
    skip = pytest.mark.skip(reason="a test of SQLite files: runs in the SQLite pass")
    for item in items:
        if item.get_closest_marker("sqlite_only") is not None:
            item.add_marker(skip)


@pytest.fixture(scope="session", autouse=True)
async def drop_postgres_test_databases() -> AsyncIterator[None]:
    """The PostgreSQL databases `database_settings` created for this session go at its end."""
    yield
    await drop_test_databases()
