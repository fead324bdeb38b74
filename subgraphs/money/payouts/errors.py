"""Payouts' domain errors (each a stable `extensions.code`, a message that says what to do)."""

from __future__ import annotations

from subgraphs.kernel.errors import BadUserInput, Conflict, NotFound


class IllegalPayoutTransition(Conflict):
    def __init__(self, payout_id: str, current: str, wanted: str) -> None:
        super().__init__(
            f"Payout {payout_id} is {current}; it cannot become {wanted}.",
            field="payoutId",
            status=current,
        )


class PayoutNotFound(NotFound):
    def __init__(self, payout_id: str) -> None:
        super().__init__(f"Payout {payout_id} does not exist.", field="payoutId")


class NotAPayoutAccount(BadUserInput):
    def __init__(self, method_id: str, reason: str) -> None:
        super().__init__(
            f"Payment method {method_id} cannot receive a payout: {reason}.",
            field="paymentMethodId",
        )
