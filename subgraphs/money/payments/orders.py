"""Which orders can be paid, and for how much: learnt from commerce's domain events, never from
a client. `commerce.order.placed` (payload `orderId`, `totalAmount`, `currency`; `userId` the
buyer) makes the order payable for exactly that amount; `commerce.order.cancelled` stops it.

The handler is idempotent (the bus delivers at least once; every money instance hears every
event): the order row's primary key is the order id and the cancellation is a flag. Like every
consumer of the bus, money must be running when commerce publishes (docs/events.md); an order
placed while money was down cannot be paid until commerce announces it again.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import update
from starlette.applications import Starlette

from subgraphs.kernel.app import Lifespan
from subgraphs.kernel.currencies import MINOR_UNIT_DIGITS
from subgraphs.kernel.db import Database, utcnow
from subgraphs.kernel.events import EventBus
from subgraphs.kernel.scalars import LONG_MAX
from subgraphs.money._sql import insert_unless_present
from subgraphs.money.payments.models import PayableOrder

logger = logging.getLogger("subgraphs.money.payments")

PLACED = "commerce.order.placed"
CANCELLED = "commerce.order.cancelled"


def _uuid(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    try:
        return str(uuid.UUID(value))
    except ValueError:
        return None


async def handle_order_event(database: Database, envelope: Mapping[str, Any]) -> None:
    """Record a placed order or its cancellation (anything malformed is logged and skipped)."""
    event_type, payload = envelope.get("type"), envelope.get("payload")
    if not isinstance(payload, Mapping):
        return
    order_id = _uuid(payload.get("orderId"))
    if order_id is None:
        logger.warning("%s event %s has no order id", event_type, envelope.get("id"))
        return
    async with database.sessions() as session:
        if event_type == PLACED:
            amount, currency = payload.get("totalAmount"), payload.get("currency")
            buyer_id = _uuid(envelope.get("userId"))
            if (
                buyer_id is None
                or isinstance(amount, bool)
                or not isinstance(amount, int)
                or not 0 < amount <= LONG_MAX
                or currency not in MINOR_UNIT_DIGITS
            ):
                logger.warning("order event %s is malformed; not payable", envelope.get("id"))
                return
            sellers = payload.get("sellerUserIds")
            payee_id = (
                _uuid(sellers[0]) if isinstance(sellers, list) and len(sellers) == 1 else None
            )
            await insert_unless_present(
                session,
                PayableOrder.__table__,  # type: ignore[arg-type]
                {
                    "order_id": order_id,
                    "buyer_id": buyer_id,
                    "amount": amount,
                    "currency": currency,
                    "payee_id": payee_id,
                    "cancelled": False,
                    "event_id": str(envelope.get("id"))[:64],
                    "placed_at": utcnow(),
                },
                unique_columns=("order_id",),
            )
        elif event_type == CANCELLED:
            await session.execute(
                update(PayableOrder)
                .where(PayableOrder.order_id == order_id)
                .values(cancelled=True)
                .execution_options(synchronize_session=False)
            )
        else:
            return
        await session.commit()


def order_events_lifespan() -> Lifespan:
    """A lifespan hook: consume commerce's order events while the app runs."""

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        events: EventBus = app.state.events
        database: Database = app.state.database

        async def handler(envelope: dict[str, Any]) -> None:
            await handle_order_event(database, envelope)

        stops = [events.consume(PLACED, handler), events.consume(CANCELLED, handler)]
        try:
            yield
        finally:
            for stop in stops:
                stop()

    return lifespan
