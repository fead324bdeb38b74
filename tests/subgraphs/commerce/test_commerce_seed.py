"""commerce's demo seed: carol's shop, alice's and bob's orders, deterministic ids."""

from __future__ import annotations

from sqlalchemy import func, select

from subgraphs.commerce.models import Order, OrderStatus, Product, Seller
from subgraphs.commerce.seed import DEMO_ORDERS, DEMO_PRODUCTS, seed_demo
from subgraphs.kernel.db import open_database
from subgraphs.kernel.demo import demo_id, demo_user_id
from subgraphs.kernel.seeding import seed_demo_data
from subgraphs.kernel.testing import migrated_settings


async def test_seed_is_idempotent_with_the_shared_demo_ids(tmp_path):
    settings = await migrated_settings("commerce", tmp_path)
    database = open_database(settings.database_url("commerce"))
    try:
        await seed_demo_data("commerce", settings)
        async with database.sessions() as session:
            await seed_demo(session)
            await session.commit()

        async with database.sessions() as session:
            orders = await session.scalar(select(func.count()).select_from(Order))
            products = await session.scalar(select(func.count()).select_from(Product))
            carol = await session.get(Seller, demo_id("seller", "carol"))
            alice_first = await session.get(Order, demo_id("order", "alice-1"))
            mug = await session.get(Product, demo_id("product", "carol-mug"))
    finally:
        await database.dispose()

    assert orders == len(DEMO_ORDERS)
    assert products == len(DEMO_PRODUCTS)
    assert carol is not None and carol.user_id == demo_user_id("carol")
    assert alice_first is not None
    assert alice_first.buyer_id == demo_user_id("alice")
    assert alice_first.status is OrderStatus.DELIVERED
    assert alice_first.total_amount == 2 * 2_400 + 3 * 1_250
    assert mug is not None and mug.stock == 40 - 2  # taken once, not once per seeding
