"""commerce's business logic. Functions take the session, never commit, never import Strawberry."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.commerce.access import check_order_move, check_shop
from subgraphs.commerce.errors import (
    AlreadySeller,
    IllegalStatusTransition,
    InvalidOrderLines,
    InvalidPrice,
    InvalidStock,
    MixedCurrencies,
    OrderNotFound,
    OutOfStock,
    ProductNotFound,
    SellerNotFound,
)
from subgraphs.commerce.models import Order, OrderLine, OrderStatus, Product, Seller
from subgraphs.commerce.order_status import RESTOCKED_ON_CANCEL, can_move
from subgraphs.kernel.context import Viewer
from subgraphs.kernel.currencies import validate_currency
from subgraphs.kernel.db import utcnow
from subgraphs.kernel.events import record_event
from subgraphs.kernel.pagination import Page, paginate, paginate_by_parent
from subgraphs.kernel.scalars import LONG_MAX
from subgraphs.kernel.validation import optional_text, parse_id, required_text

MAX_DISPLAY_NAME = 80
MAX_PRODUCT_NAME = 120
MAX_PRODUCT_DESCRIPTION = 2000
MAX_STOCK = 1_000_000_000
MAX_ORDER_LINES = 50
MAX_LINE_QUANTITY = 10_000


@dataclass(frozen=True, slots=True)
class LineRequest:
    """One line a buyer asks for."""

    product_id: str
    quantity: int


# --- reads -------------------------------------------------------------------------------


async def list_sellers_by_user_ids(
    session: AsyncSession, *, user_ids: Sequence[str]
) -> Iterable[Seller]:
    return await session.scalars(select(Seller).where(Seller.user_id.in_(user_ids)))


async def list_lines_by_order_ids(
    session: AsyncSession, *, order_ids: Sequence[str]
) -> Iterable[OrderLine]:
    """The lines of each order, in the order the buyer listed them."""
    return await session.scalars(
        select(OrderLine)
        .where(OrderLine.order_id.in_(order_ids))
        .order_by(OrderLine.order_id, OrderLine.position)
    )


async def list_products(
    session: AsyncSession, *, first: int | None, after: str | None
) -> Page[Product]:
    """Every product, oldest first."""
    return await paginate(session, select(Product), first=first, after=after)


async def list_seller_products(
    session: AsyncSession, *, seller_id: str, first: int | None, after: str | None
) -> Page[Product]:
    """A seller's products, oldest first."""
    statement = select(Product).where(Product.seller_id == seller_id)
    return await paginate(session, statement, first=first, after=after)


async def list_orders_of_buyers(
    session: AsyncSession, *, buyer_ids: Sequence[str], first: int | None, after: str | None
) -> dict[str, Page[Order]]:
    """Each buyer's orders, newest first, one SELECT for all buyers."""
    return await paginate_by_parent(
        session,
        Order,
        parent_column=Order.buyer_id,
        parent_ids=buyer_ids,
        first=first,
        after=after,
        descending=True,
    )


# --- sellers and products ----------------------------------------------------------------


async def register_seller(
    session: AsyncSession, *, user_id: str, display_name: str, seller_id: str | None = None
) -> Seller:
    """Make a user a seller; CONFLICT when they already are one."""
    user_id = parse_id(user_id, field="userId")
    display_name = required_text(display_name, field="displayName", max_length=MAX_DISPLAY_NAME)
    if await session.scalar(select(Seller.id).where(Seller.user_id == user_id)) is not None:
        raise AlreadySeller(user_id)
    seller = Seller(user_id=user_id, display_name=display_name)
    if seller_id is not None:
        seller.id = seller_id
    session.add(seller)
    try:
        await session.flush()
    except IntegrityError as exc:  # a concurrent registration won the race
        raise AlreadySeller(user_id) from exc
    return seller


async def create_product(
    session: AsyncSession,
    *,
    actor: Viewer | None,
    seller_id: str,
    name: str,
    description: str,
    price_amount: int,
    price_currency: str,
    stock: int,
    product_id: str | None = None,
) -> Product:
    """List a product for sale; the seller must exist (NOT_FOUND) and be `actor`'s shop unless
    `actor` is an administrator (FORBIDDEN; None: a trusted caller, seeding), price > 0,
    stock >= 0."""
    if actor is not None:
        actor.require_user_id()
    seller_id = parse_id(seller_id, field="sellerId")
    name = required_text(name, field="name", max_length=MAX_PRODUCT_NAME)
    description = optional_text(
        description, field="description", max_length=MAX_PRODUCT_DESCRIPTION
    )
    if price_amount <= 0:
        raise InvalidPrice("it must be a positive number of minor units")
    price_currency = validate_currency(price_currency)
    if not 0 <= stock <= MAX_STOCK:
        raise InvalidStock(f"it must be between 0 and {MAX_STOCK}")
    seller = await session.get(Seller, seller_id)
    if seller is None:
        raise SellerNotFound(seller_id)
    if actor is not None:
        check_shop(actor, seller)
    product = Product(
        seller_id=seller_id,
        name=name,
        description=description,
        price_amount=price_amount,
        price_currency=price_currency,
        stock=stock,
    )
    if product_id is not None:
        product.id = product_id
    session.add(product)
    await session.flush()
    return product


# --- orders ------------------------------------------------------------------------------


def _checked_lines(lines: Sequence[LineRequest]) -> list[LineRequest]:
    if not lines:
        raise InvalidOrderLines("an order needs at least one line")
    if len(lines) > MAX_ORDER_LINES:
        raise InvalidOrderLines(f"an order has at most {MAX_ORDER_LINES} lines")
    checked: list[LineRequest] = []
    for line in lines:
        product_id = parse_id(line.product_id, field="productId")
        if not 1 <= line.quantity <= MAX_LINE_QUANTITY:
            raise InvalidOrderLines(
                f"the quantity of {product_id} must be between 1 and {MAX_LINE_QUANTITY}"
            )
        if any(seen.product_id == product_id for seen in checked):
            raise InvalidOrderLines(f"product {product_id} appears on more than one line")
        checked.append(LineRequest(product_id=product_id, quantity=line.quantity))
    return checked


async def _products_for_update(
    session: AsyncSession, product_ids: Sequence[str]
) -> dict[str, Product]:
    """The products, locked until the request's transaction ends (PostgreSQL); NOT_FOUND names
    the first missing one in the buyer's order."""
    rows = await session.scalars(
        select(Product)
        .where(Product.id.in_(product_ids))
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    found = {product.id: product for product in rows}
    for product_id in product_ids:
        if product_id not in found:
            raise ProductNotFound(product_id)
    return found


async def place_order(
    session: AsyncSession,
    *,
    buyer_id: str,
    lines: Sequence[LineRequest],
    order_id: str | None = None,
) -> Order:
    """A PENDING order: every line is checked before any stock moves, then stock is taken and
    unit prices are captured. NOT_FOUND, BAD_USER_INPUT (mixed currencies) or CONFLICT (stock)
    leave everything as it was."""
    buyer_id = parse_id(buyer_id, field="buyerId")
    wanted = _checked_lines(lines)
    products = await _products_for_update(session, [line.product_id for line in wanted])
    currencies = sorted({product.price_currency for product in products.values()})
    if len(currencies) > 1:
        raise MixedCurrencies(currencies)
    for line in wanted:
        product = products[line.product_id]
        if product.stock < line.quantity:
            raise OutOfStock(product.id, line.quantity, product.stock)
    subtotals = [products[line.product_id].price_amount * line.quantity for line in wanted]
    if sum(subtotals) > LONG_MAX:
        raise InvalidOrderLines("the order total does not fit in a 64-bit amount")

    order = Order(
        buyer_id=buyer_id,
        currency=currencies[0],
        total_amount=sum(subtotals),
        status=OrderStatus.PENDING,
    )
    if order_id is not None:
        order.id = order_id
    session.add(order)
    await session.flush()
    for position, (line, subtotal) in enumerate(zip(wanted, subtotals, strict=True)):
        product = products[line.product_id]
        product.stock -= line.quantity
        session.add(
            OrderLine(
                order_id=order.id,
                position=position,
                product_id=product.id,
                quantity=line.quantity,
                unit_price_amount=product.price_amount,
                currency=product.price_currency,
                subtotal_amount=subtotal,
            )
        )
    await session.flush()
    seller_ids = {product.seller_id for product in products.values()}
    seller_user_ids = await session.scalars(select(Seller.user_id).where(Seller.id.in_(seller_ids)))
    record_event(
        session,
        "commerce.order.placed",
        {
            "orderId": order.id,
            "totalAmount": order.total_amount,
            "currency": order.currency,
            # Who is paid (money's payment analytics and refunds for sellers).
            "sellerUserIds": sorted(seller_user_ids),
        },
        user_id=buyer_id,
    )
    return order


async def update_order_status(
    session: AsyncSession, *, actor: Viewer | None, order_id: str, status: OrderStatus
) -> Order:
    """Move an order along its lifecycle (CONFLICT for a move the table does not allow);
    cancelling before shipment puts the items back in stock. `actor` must be allowed the move
    (`access.check_order_move`: FORBIDDEN); None is a trusted caller (seeding)."""
    if actor is not None:
        actor.require_user_id()
    order_id = parse_id(order_id, field="orderId")
    order = await session.scalar(
        select(Order)
        .where(Order.id == order_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if order is None:
        raise OrderNotFound(order_id)
    if actor is not None:
        await check_order_move(session, actor, order, status)
    if not can_move(order.status, status):
        raise IllegalStatusTransition(order.id, order.status.value, status.value)
    if status is OrderStatus.CANCELLED and order.status in RESTOCKED_ON_CANCEL:
        await _restock(session, order)
    previous = order.status
    order.status = status
    order.updated_at = utcnow()
    await session.flush()
    record_event(
        session,
        f"commerce.order.{ORDER_STATUS_EVENTS[status]}",
        {"orderId": order.id, "status": status.value, "previousStatus": previous.value},
        user_id=order.buyer_id,
    )
    return order


ORDER_STATUS_EVENTS: dict[OrderStatus, str] = {
    OrderStatus.PENDING: "status_changed",
    OrderStatus.PAID: "paid",
    OrderStatus.SHIPPED: "shipped",
    OrderStatus.DELIVERED: "delivered",
    OrderStatus.CANCELLED: "cancelled",
}
"""The event an order's move to each status records (`commerce.order.<verb>`)."""


async def _restock(session: AsyncSession, order: Order) -> None:
    lines = list(await list_lines_by_order_ids(session, order_ids=[order.id]))
    products = await _products_for_update(session, [line.product_id for line in lines])
    for line in lines:
        products[line.product_id].stock += line.quantity
