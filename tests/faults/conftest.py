"""Fault tests: the platform through the router while its Redis or PostgreSQL goes away and
comes back. Each module gets servers of its own (tests/fixtures/private_services.py) that it may
kill; the shared servers on 6379 and 5432 are never touched."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.fixtures.private_services import PrivatePostgres, PrivateRedis


@pytest.fixture(scope="module")
async def private_redis() -> AsyncIterator[PrivateRedis]:
    redis = PrivateRedis()
    await redis.start()
    try:
        yield redis
    finally:
        await redis.stop()


@pytest.fixture(scope="module")
async def private_postgres() -> AsyncIterator[PrivatePostgres]:
    postgres = PrivatePostgres()
    try:
        await postgres.init()
        await postgres.start()
        yield postgres
    finally:
        await postgres.remove()
