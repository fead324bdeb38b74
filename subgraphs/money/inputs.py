"""money's GraphQL input types."""

from __future__ import annotations

import strawberry

from subgraphs.kernel.scalars import Long

IDEMPOTENCY_KEY = (
    "1 to 100 printable characters (a fresh UUID per request). Retrying with the same key and "
    "the same input returns the first result without moving money again; the same key with a "
    "different input is CONFLICT."
)


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
    idempotency_key: str | None = strawberry.field(
        default=None,
        description=IDEMPOTENCY_KEY + " Optional here for older clients: without it a retry "
        "deposits again.",
    )


@strawberry.input
class TransferBetweenWalletsInput:
    from_wallet_id: strawberry.ID = strawberry.field(description="Yours (administrators: any).")
    to_wallet_id: strawberry.ID = strawberry.field(
        description="Any ACTIVE wallet in the same currency."
    )
    amount: Long = strawberry.field(description="Minor units, > 0, at most the balance.")
    description: str | None = strawberry.field(
        default=None, description="At most 200 characters; defaults to 'Transfer'."
    )
    idempotency_key: str = strawberry.field(description=IDEMPOTENCY_KEY)


@strawberry.input
class FreezeWalletInput:
    wallet_id: strawberry.ID


@strawberry.input
class UnfreezeWalletInput:
    wallet_id: strawberry.ID
