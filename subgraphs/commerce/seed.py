"""commerce's demo data: carol's shop with products, orders by alice and bob (idempotent).

Ids are `demo_id(kind, handle)`; support's demo ticket points at `demo_id("order", "alice-1")`.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.commerce.models import Order, OrderStatus, Product, Seller
from subgraphs.commerce.services import (
    LineRequest,
    create_product,
    place_order,
    register_seller,
    update_order_status,
)
from subgraphs.kernel.demo import demo_id, demo_user_id


@dataclass(frozen=True, slots=True)
class DemoProduct:
    handle: str
    name: str
    description: str
    price_amount: int
    currency: str
    stock: int


@dataclass(frozen=True, slots=True)
class DemoOrder:
    handle: str
    buyer: str
    lines: tuple[tuple[str, int], ...]  # (product handle, quantity)
    path: tuple[OrderStatus, ...]  # statuses the order moves through after PENDING


DEMO_SELLER_HANDLE = "carol"
DEMO_SELLER_NAME = "Carol's Crafts"

DEMO_PRODUCTS: tuple[DemoProduct, ...] = (
    DemoProduct(
        "carol-mug", "Hand-thrown mug", "Stoneware, 350 ml, dishwasher safe.", 2_400, "USD", 40
    ),
    DemoProduct("carol-scarf", "Merino scarf", "Knitted merino wool, 180 cm.", 5_900, "USD", 15),
    DemoProduct(
        "carol-candle", "Beeswax candle", "Pure beeswax, burns 30 hours.", 1_250, "USD", 100
    ),
    DemoProduct(
        "carol-print", "Riverside print", "A3 giclée print of the old mill.", 3_500, "EUR", 25
    ),
)

DEMO_ORDERS: tuple[DemoOrder, ...] = (
    DemoOrder(
        "alice-1",
        "alice",
        (("carol-mug", 2), ("carol-candle", 3)),
        (OrderStatus.PAID, OrderStatus.SHIPPED, OrderStatus.DELIVERED),
    ),
    DemoOrder("alice-2", "alice", (("carol-scarf", 1),), ()),
    DemoOrder("bob-1", "bob", (("carol-print", 1),), (OrderStatus.PAID,)),
)


async def seed_demo(session: AsyncSession) -> None:
    seller_id = demo_id("seller", DEMO_SELLER_HANDLE)
    if await session.get(Seller, seller_id) is None:
        await register_seller(
            session,
            user_id=demo_user_id(DEMO_SELLER_HANDLE),
            display_name=DEMO_SELLER_NAME,
            seller_id=seller_id,
        )
    for product in DEMO_PRODUCTS:
        product_id = demo_id("product", product.handle)
        if await session.get(Product, product_id) is None:
            await create_product(
                session,
                actor=None,
                seller_id=seller_id,
                name=product.name,
                description=product.description,
                price_amount=product.price_amount,
                price_currency=product.currency,
                stock=product.stock,
                product_id=product_id,
            )
    for order in DEMO_ORDERS:
        order_id = demo_id("order", order.handle)
        if await session.get(Order, order_id) is not None:
            continue
        await place_order(
            session,
            buyer_id=demo_user_id(order.buyer),
            lines=[
                LineRequest(product_id=demo_id("product", handle), quantity=quantity)
                for handle, quantity in order.lines
            ],
            order_id=order_id,
        )
        for status in order.path:
            await update_order_status(session, actor=None, order_id=order_id, status=status)
