"""Who may see and change what in commerce (issue 4); used by resolvers and services alike.

- The catalogue (sellers, products) is public.
- An order is seen by its buyer, by the seller of any product on it, and by staff (support
  agents and administrators); anyone else signed in is FORBIDDEN, anonymous UNAUTHENTICATED.
  Order ids are random UUIDs, so FORBIDDEN reveals nothing a caller could guess.
- Status moves: administrators and the order's sellers make any move the lifecycle allows;
  the buyer and support agents may only cancel (and only before it ships: the lifecycle says).
- Products are listed by their shop's user (or an administrator).
"""

from __future__ import annotations

from typing import Final

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.commerce.models import Order, OrderLine, OrderStatus, Product, Seller
from subgraphs.kernel.access import ADMIN, is_staff, require_owner_or_staff
from subgraphs.kernel.context import Viewer
from subgraphs.kernel.errors import Forbidden

ORDER_STAFF: Final = ("support", "admin")
"""Staff who see every order."""
SELLER_SCOPES: Final = ("seller", "admin")
"""Scopes that may open a shop and list products."""


async def seller_user_ids_of_order(session: AsyncSession, *, order_id: str) -> set[str]:
    """The users whose shops sell something on the order."""
    rows = await session.scalars(
        select(Seller.user_id)
        .join(Product, Product.seller_id == Seller.id)
        .join(OrderLine, OrderLine.product_id == Product.id)
        .where(OrderLine.order_id == order_id)
    )
    return set(rows)


async def check_order_visible(session: AsyncSession, viewer: Viewer, order: Order) -> None:
    """UNAUTHENTICATED when anonymous; FORBIDDEN unless buyer, one of its sellers, or staff."""
    user_id = viewer.require_user_id()
    if user_id == order.buyer_id or is_staff(viewer, ORDER_STAFF):
        return
    if user_id in await seller_user_ids_of_order(session, order_id=order.id):
        return
    raise Forbidden(f"Only the buyer, its sellers and staff may see order {order.id}.")


async def check_order_move(
    session: AsyncSession, viewer: Viewer, order: Order, status: OrderStatus
) -> None:
    """FORBIDDEN unless the viewer may make this status move (see the module docstring)."""
    await check_order_visible(session, viewer, order)
    user_id = viewer.require_user_id()
    if is_staff(viewer, ADMIN):
        return
    if user_id in await seller_user_ids_of_order(session, order_id=order.id):
        return
    if status is OrderStatus.CANCELLED:  # the buyer or a support agent
        return
    raise Forbidden(f"Only the order's sellers and administrators may mark it {status.value}.")


def check_shop(viewer: Viewer, seller: Seller) -> None:
    """FORBIDDEN unless the viewer runs the shop (or is an administrator)."""
    require_owner_or_staff(viewer, seller.user_id, what=f"shop {seller.id}")
