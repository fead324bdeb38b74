"""Payments' DataLoader factories (one instance per request via `info.context.loaders`)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from aiodataloader import DataLoader
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.kernel.loaders import loader_by_id, loader_grouped_by_key
from subgraphs.money.payments.models import Payment, PaymentMethod, Refund
from subgraphs.money.payments.services import list_refunds_of_payments


def payment_by_id(session: AsyncSession) -> DataLoader[str, Payment | None]:
    return loader_by_id(session, Payment)


def payment_method_by_id(session: AsyncSession) -> DataLoader[str, PaymentMethod | None]:
    return loader_by_id(session, PaymentMethod)


async def _fetch_refunds(session: AsyncSession, payment_ids: Sequence[str]) -> Iterable[Refund]:
    return await list_refunds_of_payments(session, payment_ids=payment_ids)


def refunds_by_payment_id(session: AsyncSession) -> DataLoader[str, list[Refund]]:
    return loader_grouped_by_key(session, _fetch_refunds, key=lambda refund: refund.payment_id)


async def _fetch_payments_of_orders(
    session: AsyncSession, order_ids: Sequence[str]
) -> Iterable[Payment]:
    return await session.scalars(
        select(Payment)
        .where(Payment.order_id.in_(order_ids))
        .order_by(Payment.order_id, Payment.created_at, Payment.id)
    )


def payments_by_order_id(session: AsyncSession) -> DataLoader[str, list[Payment]]:
    """Every payment of each order, oldest first."""
    return loader_grouped_by_key(
        session, _fetch_payments_of_orders, key=lambda payment: payment.order_id or ""
    )
