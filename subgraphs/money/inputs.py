"""money's GraphQL input types."""

from __future__ import annotations

import strawberry

from subgraphs.kernel.scalars import Long


@strawberry.input
class OpenWalletInput:
    owner_id: strawberry.ID | None = strawberry.field(
        default=None,
        description=(
            "Administrators only: open the wallet for this user (a UUID). Everyone else omits "
            "it (or gives their own id): the wallet is the signed-in user's. Another user's id "
            "from a non-administrator is FORBIDDEN."
        ),
    )
    currency: str = strawberry.field(description="ISO 4217 code, e.g. EUR.")


@strawberry.input
class DepositToWalletInput:
    wallet_id: strawberry.ID
    amount: Long = strawberry.field(description="Minor units of the wallet's currency, > 0.")
    description: str | None = strawberry.field(
        default=None, description="At most 200 characters; defaults to 'Deposit'."
    )
