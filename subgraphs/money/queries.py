"""money's root query fields (thin: decode arguments, call a loader, map)."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from subgraphs.kernel.context import SubgraphContext
from subgraphs.money.loaders import transaction_by_id, wallet_by_id
from subgraphs.money.types import Transaction, Wallet, check_transaction, check_wallet


@strawberry.type
class Query:
    @strawberry.federation.field(
        authenticated=True,
        description=(
            "A wallet by id, or null when there is none. Someone else's wallet is FORBIDDEN "
            "(administrators see every wallet)."
        ),
    )
    async def wallet(self, info: Info[SubgraphContext, None], id: strawberry.ID) -> Wallet | None:
        info.context.viewer.require_user_id()
        found = await info.context.loaders.get(wallet_by_id).load(str(id))
        if found is None:
            return None
        check_wallet(info.context.viewer, found)
        return Wallet.from_model(found)

    @strawberry.federation.field(
        authenticated=True,
        description=(
            "A transaction by id, or null when there is none. One in someone else's wallet is "
            "FORBIDDEN (administrators see every transaction)."
        ),
    )
    async def transaction(
        self, info: Info[SubgraphContext, None], id: strawberry.ID
    ) -> Transaction | None:
        info.context.viewer.require_user_id()
        found = await info.context.loaders.get(transaction_by_id).load(str(id))
        if found is None:
            return None
        await check_transaction(info, found)
        return Transaction.from_model(found)
