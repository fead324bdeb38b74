"""Trusty wallets' root query fields."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from subgraphs.kernel.context import SubgraphContext
from subgraphs.money.trusty import services
from subgraphs.money.trusty.loaders import (
    proposal_by_id,
    signer_keys_by_user_id,
    trusty_wallet_by_id,
)
from subgraphs.money.trusty.types import SignerKey, TrustyProposal, TrustyWallet


@strawberry.type
class Query:
    @strawberry.federation.field(
        authenticated=True, description="The signed-in user's signer keys, oldest first."
    )
    async def my_signer_keys(self, info: Info[SubgraphContext, None]) -> list[SignerKey]:
        user_id = info.context.viewer.require_user_id()
        rows = await info.context.loaders.get(signer_keys_by_user_id).load(user_id)
        return [SignerKey.from_model(row) for row in rows]

    @strawberry.federation.field(
        authenticated=True,
        description="The trusty wallets the signed-in user signs for, oldest first.",
    )
    async def my_trusty_wallets(self, info: Info[SubgraphContext, None]) -> list[TrustyWallet]:
        user_id = info.context.viewer.require_user_id()
        rows = await services.list_trusty_wallets_of_user(info.context.session, user_id=user_id)
        return [TrustyWallet.from_model(row) for row in rows]

    @strawberry.federation.field(
        authenticated=True,
        description="A trusty wallet by id, or null when there is none. Only its signers and "
        "administrators: anyone else is FORBIDDEN.",
    )
    async def trusty_wallet(
        self, info: Info[SubgraphContext, None], id: strawberry.ID
    ) -> TrustyWallet | None:
        info.context.viewer.require_user_id()
        wallet = await info.context.loaders.get(trusty_wallet_by_id).load(str(id))
        if wallet is None:
            return None
        await services.require_viewer(info.context.session, wallet, info.context.viewer)
        return TrustyWallet.from_model(wallet)

    @strawberry.federation.field(
        authenticated=True,
        description="A trusty-wallet proposal by id, or null when there is none. Only the "
        "wallet's signers and administrators: anyone else is FORBIDDEN.",
    )
    async def trusty_proposal(
        self, info: Info[SubgraphContext, None], id: strawberry.ID
    ) -> TrustyProposal | None:
        info.context.viewer.require_user_id()
        proposal = await info.context.loaders.get(proposal_by_id).load(str(id))
        if proposal is None:
            return None
        wallet = await services.get_trusty_wallet(info.context.session, proposal.trusty_wallet_id)
        await services.require_viewer(info.context.session, wallet, info.context.viewer)
        return TrustyProposal.from_model(proposal)
