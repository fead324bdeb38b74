"""money's root mutation fields (the kernel commits once all of them succeed)."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from subgraphs.kernel.context import SubgraphContext
from subgraphs.money import services
from subgraphs.money.inputs import DepositToWalletInput, OpenWalletInput
from subgraphs.money.types import Transaction, Wallet


@strawberry.type
class Mutation:
    @strawberry.mutation(
        description="Open an empty wallet. One per owner and currency: a second is CONFLICT."
    )
    async def open_wallet(
        self, info: Info[SubgraphContext, None], input: OpenWalletInput
    ) -> Wallet:
        wallet = await services.open_wallet(
            info.context.session, owner_id=str(input.owner_id), currency=input.currency
        )
        return Wallet.from_model(wallet)

    @strawberry.mutation(
        description="Credit an ACTIVE wallet (missing: NOT_FOUND; frozen or closed: CONFLICT)."
    )
    async def deposit_to_wallet(
        self, info: Info[SubgraphContext, None], input: DepositToWalletInput
    ) -> Transaction:
        transaction = await services.deposit_to_wallet(
            info.context.session,
            wallet_id=str(input.wallet_id),
            amount=input.amount,
            description=input.description,
        )
        return Transaction.from_model(transaction)
