"""The order lifecycle: which status may follow which."""

from __future__ import annotations

from subgraphs.commerce.models import OrderStatus

ALLOWED_TRANSITIONS: dict[OrderStatus, frozenset[OrderStatus]] = {
    OrderStatus.PENDING: frozenset({OrderStatus.PAID, OrderStatus.CANCELLED}),
    OrderStatus.PAID: frozenset({OrderStatus.SHIPPED, OrderStatus.CANCELLED}),
    OrderStatus.SHIPPED: frozenset({OrderStatus.DELIVERED}),
    OrderStatus.DELIVERED: frozenset(),
    OrderStatus.CANCELLED: frozenset(),
}

# Cancelling an order that has not shipped puts its items back on the shelf.
RESTOCKED_ON_CANCEL: frozenset[OrderStatus] = frozenset({OrderStatus.PENDING, OrderStatus.PAID})


def can_move(current: OrderStatus, wanted: OrderStatus) -> bool:
    return wanted in ALLOWED_TRANSITIONS[current]
