"""Payouts' GraphQL input types."""

from __future__ import annotations

import strawberry

from subgraphs.kernel.scalars import Long
from subgraphs.money.inputs import IDEMPOTENCY_KEY


@strawberry.input
class WithdrawFromWalletInput:
    wallet_id: strawberry.ID = strawberry.field(description="Yours (administrators: any).")
    payment_method_id: strawberry.ID = strawberry.field(
        description="A BANK_ACCOUNT payment method of the wallet's owner: where the money goes."
    )
    amount: Long = strawberry.field(
        description="Minor units of the wallet's currency, > 0, at most the balance."
    )
    description: str | None = strawberry.field(
        default=None, description="At most 200 characters; defaults to 'Withdrawal'."
    )
    idempotency_key: str = strawberry.field(description=IDEMPOTENCY_KEY)


@strawberry.input
class RetryPayoutInput:
    payout_id: strawberry.ID
    idempotency_key: str = strawberry.field(description=IDEMPOTENCY_KEY)
