"""commerce's DataLoader factories (one instance per request via `info.context.loaders`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from aiodataloader import DataLoader
from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.commerce import services
from subgraphs.commerce.models import Order, OrderLine, Product, Seller
from subgraphs.kernel.loaders import (
    PageKey,
    loader_by_id,
    loader_by_key,
    loader_grouped_by_key,
    loader_paged_by_key,
)
from subgraphs.kernel.pagination import Page


async def _fetch_sellers_of_users(
    session: AsyncSession, user_ids: Sequence[str]
) -> Iterable[Seller]:
    return await services.list_sellers_by_user_ids(session, user_ids=user_ids)


async def _fetch_lines(session: AsyncSession, order_ids: Sequence[str]) -> Iterable[OrderLine]:
    return await services.list_lines_by_order_ids(session, order_ids=order_ids)


async def _fetch_order_pages(
    session: AsyncSession, buyer_ids: Sequence[str], shape: PageKey
) -> Mapping[str, Page[Order]]:
    return await services.list_orders_of_buyers(
        session, buyer_ids=buyer_ids, first=shape.first, after=shape.after
    )


def seller_by_id(session: AsyncSession) -> DataLoader[str, Seller | None]:
    return loader_by_id(session, Seller)


def seller_by_user_id(session: AsyncSession) -> DataLoader[str, Seller | None]:
    return loader_by_key(session, _fetch_sellers_of_users, key=lambda seller: seller.user_id)


def product_by_id(session: AsyncSession) -> DataLoader[str, Product | None]:
    return loader_by_id(session, Product)


def order_by_id(session: AsyncSession) -> DataLoader[str, Order | None]:
    return loader_by_id(session, Order)


def lines_by_order_id(session: AsyncSession) -> DataLoader[str, list[OrderLine]]:
    return loader_grouped_by_key(session, _fetch_lines, key=lambda line: line.order_id)


def orders_page_by_buyer_id(session: AsyncSession) -> DataLoader[PageKey, Page[Order]]:
    """N users' `orders` pages of one shape cost one SELECT."""
    return loader_paged_by_key(session, _fetch_order_pages)
