"""Payouts' root mutation fields (the kernel commits once all of them succeed)."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types import Info

from subgraphs.kernel.context import SubgraphContext
from subgraphs.money.fraud.wallets import Screening
from subgraphs.money.idempotency import run_idempotently
from subgraphs.money.payments.providers import providers_of
from subgraphs.money.payouts import services
from subgraphs.money.payouts.inputs import RetryPayoutInput, WithdrawFromWalletInput
from subgraphs.money.payouts.types import Payout


@strawberry.type
class PayoutsMutation:
    @strawberry.federation.mutation(
        authenticated=True,
        description=(
            "Pay money out of an ACTIVE wallet of the signed-in user (administrators: any) to a "
            "bank account of the wallet's owner, through the payments provider. The wallet is "
            "debited at once (more than the balance: CONFLICT, reason INSUFFICIENT_FUNDS); the "
            "payout is IN_TRANSIT until the provider reports it PAID or FAILED (the money then "
            "returns), FAILED when refused, or PENDING when the provider did not answer "
            "(retryPayout). Screened for fraud: MOVEMENT_HELD or FORBIDDEN (FRAUD_BLOCKED)."
        ),
    )
    async def withdraw_from_wallet(
        self, info: Info[SubgraphContext, None], input: WithdrawFromWalletInput
    ) -> Payout:
        payout = await services.withdraw_from_wallet(
            info.context.session,
            actor=info.context.viewer,
            provider=providers_of(info.context.request).get(),
            wallet_id=str(input.wallet_id),
            method_id=str(input.payment_method_id),
            amount=input.amount,
            description=input.description,
            idempotency_key=input.idempotency_key,
            screening=Screening.of_request(info.context.request),
        )
        return Payout.from_model(payout)

    @strawberry.federation.mutation(
        authenticated=True,
        description=(
            "Ask the provider again for a PENDING payout (it did not answer before); the same "
            "payout is never paid twice. Any other status: CONFLICT."
        ),
    )
    async def retry_payout(
        self, info: Info[SubgraphContext, None], input: RetryPayoutInput
    ) -> Payout:
        viewer = info.context.viewer

        async def execute() -> dict[str, Any]:
            payout = await services.retry_payout(
                info.context.session,
                actor=viewer,
                provider=providers_of(info.context.request).get(),
                payout_id=str(input.payout_id),
            )
            return {"payoutId": payout.id}

        result = await run_idempotently(
            info.context.session,
            scope=viewer.require_user_id(),
            key=input.idempotency_key,
            operation="retryPayout",
            request={"payoutId": str(input.payout_id)},
            execute=execute,
        )
        return Payout.from_model(
            await services.payout_by_id(info.context.session, result["payoutId"])
        )
