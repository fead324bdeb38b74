"""money's GraphQL input types."""

from __future__ import annotations

import strawberry

from subgraphs.kernel.scalars import Long


@strawberry.input
class OpenWalletInput:
    owner_id: strawberry.ID = strawberry.field(
        description="The owning user's id (a UUID). Until sign-in exists the caller names it."
    )
    currency: str = strawberry.field(description="ISO 4217 code, e.g. EUR.")


@strawberry.input
class DepositToWalletInput:
    wallet_id: strawberry.ID
    amount: Long = strawberry.field(description="Minor units of the wallet's currency, > 0.")
    description: str | None = strawberry.field(
        default=None, description="At most 200 characters; defaults to 'Deposit'."
    )
