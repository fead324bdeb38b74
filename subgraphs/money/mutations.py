"""money's root mutation fields (the kernel commits once all of them succeed)."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from subgraphs.kernel.access import acting_user_id
from subgraphs.kernel.context import SubgraphContext
from subgraphs.money import services
from subgraphs.money.inputs import DepositToWalletInput, OpenWalletInput
from subgraphs.money.types import Transaction, Wallet


@strawberry.type
class Mutation:
    @strawberry.federation.mutation(
        authenticated=True,
        description=(
            "Open an empty wallet for the signed-in user (administrators: for `ownerId`). One "
            "per owner and currency: a second is CONFLICT."
        ),
    )
    async def open_wallet(
        self, info: Info[SubgraphContext, None], input: OpenWalletInput
    ) -> Wallet:
        requested = str(input.owner_id) if input.owner_id is not None else None
        owner_id = acting_user_id(info.context.viewer, requested, field="ownerId")
        wallet = await services.open_wallet(
            info.context.session, owner_id=owner_id, currency=input.currency
        )
        return Wallet.from_model(wallet)

    @strawberry.federation.mutation(
        authenticated=True,
        description=(
            "Credit an ACTIVE wallet of the signed-in user (administrators: any wallet). "
            "Missing: NOT_FOUND; someone else's: FORBIDDEN; frozen or closed: CONFLICT."
        ),
    )
    async def deposit_to_wallet(
        self, info: Info[SubgraphContext, None], input: DepositToWalletInput
    ) -> Transaction:
        transaction = await services.deposit_to_wallet(
            info.context.session,
            actor=info.context.viewer,
            wallet_id=str(input.wallet_id),
            amount=input.amount,
            description=input.description,
        )
        return Transaction.from_model(transaction)
