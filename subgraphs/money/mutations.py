"""money's root mutation fields for wallets (the kernel commits once all of them succeed).
`withdrawFromWallet` is a payout: `subgraphs.money.payouts.mutations`."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from subgraphs.kernel.access import ADMIN, acting_user_id
from subgraphs.kernel.context import SubgraphContext
from subgraphs.money import services
from subgraphs.money.fraud.wallets import Screening
from subgraphs.money.inputs import (
    DepositToWalletInput,
    FreezeWalletInput,
    OpenWalletInput,
    TransferBetweenWalletsInput,
    UnfreezeWalletInput,
)
from subgraphs.money.models import WalletStatus
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
        posting = await services.deposit_to_wallet(
            info.context.session,
            actor=info.context.viewer,
            wallet_id=str(input.wallet_id),
            amount=input.amount,
            description=input.description,
            idempotency_key=input.idempotency_key,
        )
        return Transaction.from_model(posting)

    @strawberry.federation.mutation(
        authenticated=True,
        description=(
            "Move money from one of your ACTIVE wallets (administrators: any) to another ACTIVE "
            "wallet in the same currency. Returns the source wallet's transaction. More than "
            "the balance, or a frozen wallet: CONFLICT; another currency: BAD_USER_INPUT."
        ),
    )
    async def transfer_between_wallets(
        self, info: Info[SubgraphContext, None], input: TransferBetweenWalletsInput
    ) -> Transaction:
        posting = await services.transfer_between_wallets(
            info.context.session,
            actor=info.context.viewer,
            from_wallet_id=str(input.from_wallet_id),
            to_wallet_id=str(input.to_wallet_id),
            amount=input.amount,
            description=input.description,
            idempotency_key=input.idempotency_key,
            screening=Screening.of_request(info.context.request),
        )
        return Transaction.from_model(posting)

    @strawberry.federation.mutation(
        requires_scopes=[["admin"]],
        description="Administrators: stop a wallet sending or receiving money (FROZEN).",
    )
    async def freeze_wallet(
        self, info: Info[SubgraphContext, None], input: FreezeWalletInput
    ) -> Wallet:
        info.context.viewer.require_scope(*ADMIN)
        wallet = await services.set_wallet_status(
            info.context.session,
            actor=info.context.viewer,
            wallet_id=str(input.wallet_id),
            status=WalletStatus.FROZEN,
        )
        return Wallet.from_model(wallet)

    @strawberry.federation.mutation(
        requires_scopes=[["admin"]],
        description="Administrators: let a FROZEN wallet move money again (ACTIVE).",
    )
    async def unfreeze_wallet(
        self, info: Info[SubgraphContext, None], input: UnfreezeWalletInput
    ) -> Wallet:
        info.context.viewer.require_scope(*ADMIN)
        wallet = await services.set_wallet_status(
            info.context.session,
            actor=info.context.viewer,
            wallet_id=str(input.wallet_id),
            status=WalletStatus.ACTIVE,
        )
        return Wallet.from_model(wallet)
