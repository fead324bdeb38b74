"""The payment intent state machine (docs/money.md, "Payments").

    CREATED ─confirm─▶ REQUIRES_ACTION ─confirm─▶ PROCESSING ─▶ SUCCEEDED
       │                    │                        │    └───▶ FAILED
       └─confirm────────────┼───────────────────────▶┘
       └─cancel─▶ CANCELED ◀┘

PROCESSING may stay PROCESSING (a retry after a provider network error). SUCCEEDED, FAILED and
CANCELED are final. Every change goes through `require_transition`, so an illegal move is one
clear CONFLICT naming both states, never a silently skipped step.
"""

from __future__ import annotations

from typing import Final

from subgraphs.money.payments.errors import IllegalPaymentTransition
from subgraphs.money.payments.models import PaymentStatus

S = PaymentStatus

ALLOWED: Final[dict[PaymentStatus, frozenset[PaymentStatus]]] = {
    S.CREATED: frozenset({S.REQUIRES_ACTION, S.PROCESSING, S.CANCELED}),
    S.REQUIRES_ACTION: frozenset({S.PROCESSING, S.CANCELED, S.FAILED}),
    S.PROCESSING: frozenset({S.PROCESSING, S.SUCCEEDED, S.FAILED}),
    S.SUCCEEDED: frozenset(),
    S.FAILED: frozenset(),
    S.CANCELED: frozenset(),
}

FINAL: Final = frozenset(state for state, nexts in ALLOWED.items() if not nexts)


def can_move(current: PaymentStatus, wanted: PaymentStatus) -> bool:
    return wanted in ALLOWED[current]


def require_transition(payment_id: str, current: PaymentStatus, wanted: PaymentStatus) -> None:
    """CONFLICT (IllegalPaymentTransition) unless `current -> wanted` is allowed."""
    if not can_move(current, wanted):
        raise IllegalPaymentTransition(payment_id, current.value, wanted.value)
