"""support's demo seed is idempotent, walks the workflow and uses the shared demo ids."""

from __future__ import annotations

from sqlalchemy import func, select

from subgraphs.kernel.db import open_database
from subgraphs.kernel.demo import demo_id, demo_user_id
from subgraphs.kernel.seeding import seed_demo_data
from subgraphs.kernel.testing import migrated_settings
from subgraphs.support.models import Ticket, TicketStatus
from subgraphs.support.seed import DEMO_TICKETS


async def test_seed_is_idempotent_and_references_alices_demo_order(tmp_path):
    settings = await migrated_settings("support", tmp_path)
    await seed_demo_data("support", settings)
    await seed_demo_data("support", settings)

    database = open_database(settings.database_url("support"))
    try:
        async with database.sessions() as session:
            count = await session.scalar(select(func.count()).select_from(Ticket))
            about_order = await session.get(Ticket, demo_id("ticket", "alice-mug-cracked"))
            payout = await session.get(Ticket, demo_id("ticket", "carol-payout"))
    finally:
        await database.dispose()

    assert count == len(DEMO_TICKETS)
    assert about_order is not None
    assert about_order.requester_id == demo_user_id("alice")
    assert about_order.order_id == demo_id("order", "alice-1")
    assert payout is not None and payout.status is TicketStatus.RESOLVED
