"""money's root query fields (thin: decode arguments, call a loader, map)."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from subgraphs.kernel.context import SubgraphContext
from subgraphs.money.loaders import transaction_by_id, wallet_by_id
from subgraphs.money.types import Transaction, Wallet


@strawberry.type
class Query:
    @strawberry.field(description="A wallet by id, or null when there is none.")
    async def wallet(self, info: Info[SubgraphContext, None], id: strawberry.ID) -> Wallet | None:
        found = await info.context.loaders.get(wallet_by_id).load(str(id))
        return Wallet.from_model(found) if found is not None else None

    @strawberry.field(description="A transaction by id, or null when there is none.")
    async def transaction(
        self, info: Info[SubgraphContext, None], id: strawberry.ID
    ) -> Transaction | None:
        found = await info.context.loaders.get(transaction_by_id).load(str(id))
        return Transaction.from_model(found) if found is not None else None
