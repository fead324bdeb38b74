"""The request's session is shared by sibling resolvers running concurrently: its operations
are serialised instead of failing with "concurrent operations are not permitted"."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from subgraphs.identity.models import User
from subgraphs.kernel.db import open_database
from subgraphs.kernel.session import SerialSession
from subgraphs.kernel.testing import migrated_settings


async def test_concurrent_operations_on_one_session_all_succeed(tmp_path):
    settings = await migrated_settings("identity", tmp_path)
    database = open_database(settings.database_url("identity"))
    try:
        async with database.sessions() as session:
            assert isinstance(session, SerialSession)
            session.add(User(email="a@example.com", display_name="A", roles=["USER"]))
            counts = await asyncio.gather(
                *(session.scalar(select(func.count()).select_from(User)) for _ in range(3)),
                session.flush(),
                session.get(User, "missing"),
            )
            await session.rollback()
    finally:
        await database.dispose()

    assert counts == [1, 1, 1, None, None]


async def test_sibling_resolvers_share_the_request_session(probe):
    body = await probe.graphql("{ a: userCount b: userCount c: slowUserCount }")

    assert "errors" not in body, body
    assert body["data"] == {"a": 0, "b": 0, "c": 0}
