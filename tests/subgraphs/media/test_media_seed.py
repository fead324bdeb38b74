"""media's demo seed is idempotent and uses the shared demo ids."""

from __future__ import annotations

from sqlalchemy import func, select

from subgraphs.kernel.db import open_database
from subgraphs.kernel.demo import demo_id, demo_user_id
from subgraphs.kernel.seeding import seed_demo_data
from subgraphs.kernel.testing import migrated_settings
from subgraphs.media.models import Video
from subgraphs.media.seed import DEMO_VIDEOS


async def test_seed_is_idempotent_and_uses_the_shared_demo_ids(tmp_path):
    settings = await migrated_settings("media", tmp_path)
    await seed_demo_data("media", settings)
    await seed_demo_data("media", settings)

    database = open_database(settings.database_url("media"))
    try:
        async with database.sessions() as session:
            count = await session.scalar(select(func.count()).select_from(Video))
            unboxing = await session.get(Video, demo_id("video", "alice-unboxing"))
    finally:
        await database.dispose()

    assert count == len(DEMO_VIDEOS)
    assert unboxing is not None
    assert unboxing.owner_id == demo_user_id("alice")
