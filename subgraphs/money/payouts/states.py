"""The payout state machine (docs/money.md, "Payouts").

    PENDING ─provider accepts─▶ IN_TRANSIT ─payout.paid──▶ PAID
       │ ▲                          └──────payout.failed─▶ FAILED
       └─┘ provider unreachable (retry)
       └──provider refuses─────────────────────────────▶ FAILED

PAID and FAILED are final. Every change goes through `require_transition` and a
compare-and-set on the status, so a redelivered or contradictory webhook moves nothing twice.
"""

from __future__ import annotations

from typing import Final

from subgraphs.money.payouts.errors import IllegalPayoutTransition
from subgraphs.money.payouts.models import PayoutStatus

S = PayoutStatus

ALLOWED: Final[dict[PayoutStatus, frozenset[PayoutStatus]]] = {
    S.PENDING: frozenset({S.PENDING, S.IN_TRANSIT, S.FAILED}),
    S.IN_TRANSIT: frozenset({S.PAID, S.FAILED}),
    S.PAID: frozenset(),
    S.FAILED: frozenset(),
}

FINAL: Final = frozenset(state for state, nexts in ALLOWED.items() if not nexts)


def can_move(current: PayoutStatus, wanted: PayoutStatus) -> bool:
    return wanted in ALLOWED[current]


def require_transition(payout_id: str, current: PayoutStatus, wanted: PayoutStatus) -> None:
    """CONFLICT (IllegalPayoutTransition) unless `current -> wanted` is allowed."""
    if not can_move(current, wanted):
        raise IllegalPayoutTransition(payout_id, current.value, wanted.value)
