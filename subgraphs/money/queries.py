"""money's root query fields for wallets and the ledger (thin: decode arguments, call a loader
or a service, map)."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from subgraphs.kernel.access import ADMIN
from subgraphs.kernel.context import SubgraphContext
from subgraphs.money.loaders import transaction_by_id, wallet_by_id
from subgraphs.money.types import (
    LedgerVerification,
    Transaction,
    Wallet,
    check_transaction,
    check_wallet,
)
from subgraphs.money.verification import verify_ledger


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

    @strawberry.federation.field(
        requires_scopes=[["admin"]],
        description=(
            "Administrators: recompute the ledger's hash chain, every cached balance and the "
            "per-currency sums; `ok` or the first broken link."
        ),
    )
    async def verify_ledger(self, info: Info[SubgraphContext, None]) -> LedgerVerification:
        info.context.viewer.require_scope(*ADMIN)
        report = await verify_ledger(info.context.session)
        return LedgerVerification.from_report(report)
