"""identity's demo seed creates the shared demo users once, with their deterministic ids."""

from __future__ import annotations

from sqlalchemy import func, select

from subgraphs.identity.models import Role, User
from subgraphs.identity.seed import seed_demo
from subgraphs.kernel.db import open_database
from subgraphs.kernel.demo import DEMO_USERS, demo_user_id
from subgraphs.kernel.seeding import seed_demo_data
from subgraphs.kernel.testing import migrated_settings


async def test_seed_is_idempotent_and_uses_the_shared_demo_ids(tmp_path):
    settings = await migrated_settings("identity", tmp_path)
    database = open_database(settings.database_url("identity"))
    try:
        await seed_demo_data("identity", settings)
        async with database.sessions() as session:
            await seed_demo(session)
            await session.commit()

        async with database.sessions() as session:
            count = await session.scalar(select(func.count()).select_from(User))
            carol = await session.get(User, demo_user_id("carol"))
    finally:
        await database.dispose()

    assert count == len(DEMO_USERS)
    assert carol is not None
    assert Role.SELLER in carol.role_set
