"""Payments' root mutation fields (the kernel commits once all of them succeed).

Money-moving mutations (create, confirm, refund) take an `idempotencyKey`
(`subgraphs.money.idempotency`, scoped to the acting user): a retry with the same key and
input returns the first result, read as it is now.
"""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types import Info

from subgraphs.kernel.access import acting_user_id
from subgraphs.kernel.context import SubgraphContext
from subgraphs.money.fraud.wallets import Screening
from subgraphs.money.idempotency import run_idempotently
from subgraphs.money.payments import methods, services
from subgraphs.money.payments.inputs import (
    AddBankAccountPaymentMethodInput,
    AddCardPaymentMethodInput,
    AddWalletPaymentMethodInput,
    CancelPaymentInput,
    ConfirmPaymentInput,
    CreatePaymentInput,
    RefundPaymentInput,
    RemovePaymentMethodInput,
)
from subgraphs.money.payments.models import Payment as PaymentRow
from subgraphs.money.payments.models import Refund as RefundRow
from subgraphs.money.payments.providers import providers_of
from subgraphs.money.payments.types import Payment, PaymentMethod


def _optional(value: Any) -> str | None:
    return None if value is None else str(value)


async def _payment_result(info: Info[SubgraphContext, None], result: dict[str, Any]) -> Payment:
    row = await info.context.session.get(PaymentRow, result["paymentId"], populate_existing=True)
    if row is None:  # the stored result names a committed payment
        raise LookupError(f"payment {result['paymentId']} of an idempotent result is missing")
    return Payment.from_model(row)


@strawberry.type
class PaymentsMutation:
    @strawberry.federation.mutation(
        authenticated=True,
        description=(
            "Add a card: the provider tokenises the number (never stored); brand, last four "
            "and expiry are kept. Sandbox test cards: docs/money.md."
        ),
    )
    async def add_card_payment_method(
        self, info: Info[SubgraphContext, None], input: AddCardPaymentMethodInput
    ) -> PaymentMethod:
        owner = acting_user_id(info.context.viewer, _optional(input.owner_id), field="ownerId")
        method = await methods.add_card(
            info.context.session,
            owner_id=owner,
            provider=providers_of(info.context.request).get(),
            card_number=input.card_number,
            exp_month=input.exp_month,
            exp_year=input.exp_year,
            cvc=input.cvc,
        )
        return PaymentMethod.from_model(method)

    @strawberry.federation.mutation(
        authenticated=True,
        description="Add a bank account (the number is encrypted at rest; last four shown).",
    )
    async def add_bank_account_payment_method(
        self, info: Info[SubgraphContext, None], input: AddBankAccountPaymentMethodInput
    ) -> PaymentMethod:
        owner = acting_user_id(info.context.viewer, _optional(input.owner_id), field="ownerId")
        method = await methods.add_bank_account(
            info.context.session,
            owner_id=owner,
            provider=providers_of(info.context.request).get(),
            holder_name=input.holder_name,
            account_number=input.account_number,
            bank_code=input.bank_code,
        )
        return PaymentMethod.from_model(method)

    @strawberry.federation.mutation(
        authenticated=True,
        description="Pay with one of your EHB wallets (the same wallet twice: the same method).",
    )
    async def add_wallet_payment_method(
        self, info: Info[SubgraphContext, None], input: AddWalletPaymentMethodInput
    ) -> PaymentMethod:
        method = await methods.add_wallet_method(
            info.context.session,
            owner_id=info.context.viewer.require_user_id(),
            wallet_id=str(input.wallet_id),
        )
        return PaymentMethod.from_model(method)

    @strawberry.federation.mutation(
        authenticated=True,
        description="Remove a payment method (its secrets are erased; past payments remain).",
    )
    async def remove_payment_method(
        self, info: Info[SubgraphContext, None], input: RemovePaymentMethodInput
    ) -> PaymentMethod:
        method = await methods.remove_payment_method(
            info.context.session,
            actor=info.context.viewer,
            method_id=str(input.payment_method_id),
        )
        return PaymentMethod.from_model(method)

    @strawberry.federation.mutation(
        authenticated=True,
        description=(
            "Create a payment intent (CREATED) with one of your methods: a DEPOSIT into your "
            "wallet, or an ORDER (the amount is the order's, as commerce placed it)."
        ),
    )
    async def create_payment(
        self, info: Info[SubgraphContext, None], input: CreatePaymentInput
    ) -> Payment:
        viewer = info.context.viewer
        request = {
            "paymentMethodId": str(input.payment_method_id),
            "purpose": input.purpose.value,
            "walletId": _optional(input.wallet_id),
            "orderId": _optional(input.order_id),
            "amount": input.amount,
        }

        async def execute() -> dict[str, Any]:
            payment = await services.create_payment(
                info.context.session,
                actor=viewer,
                method_id=str(input.payment_method_id),
                purpose=input.purpose,
                wallet_id=_optional(input.wallet_id),
                order_id=_optional(input.order_id),
                amount=input.amount,
            )
            return {"paymentId": payment.id}

        result = await run_idempotently(
            info.context.session,
            scope=viewer.require_user_id(),
            key=input.idempotency_key,
            operation="createPayment",
            request=request,
            execute=execute,
        )
        return await _payment_result(info, result)

    @strawberry.federation.mutation(
        authenticated=True,
        description=(
            "Charge a payment: SUCCEEDED (captured into the ledger), FAILED (declined: see "
            "`failure`), REQUIRES_ACTION (complete `nextAction`, then confirm again with the "
            "challenge response) or PROCESSING (a bank debit awaiting the provider, or a "
            "retryable provider error: confirm again with a new idempotency key)."
        ),
    )
    async def confirm_payment(
        self, info: Info[SubgraphContext, None], input: ConfirmPaymentInput
    ) -> Payment:
        viewer = info.context.viewer

        async def execute() -> dict[str, Any]:
            payment = await services.confirm_payment(
                info.context.session,
                actor=viewer,
                provider=providers_of(info.context.request).get(),
                payment_id=str(input.payment_id),
                challenge_response=input.challenge_response,
                screening=Screening.of_request(info.context.request),
            )
            return {"paymentId": payment.id}

        result = await run_idempotently(
            info.context.session,
            scope=viewer.require_user_id(),
            key=input.idempotency_key,
            operation="confirmPayment",
            request={
                "paymentId": str(input.payment_id),
                "challengeResponse": input.challenge_response,
            },
            execute=execute,
        )
        return await _payment_result(info, result)

    @strawberry.federation.mutation(
        authenticated=True,
        description="Cancel a payment that is CREATED or REQUIRES_ACTION (else CONFLICT).",
    )
    async def cancel_payment(
        self, info: Info[SubgraphContext, None], input: CancelPaymentInput
    ) -> Payment:
        payment = await services.cancel_payment(
            info.context.session, actor=info.context.viewer, payment_id=str(input.payment_id)
        )
        return Payment.from_model(payment)

    @strawberry.federation.mutation(
        authenticated=True,
        description=(
            "Refund part or all of a SUCCEEDED payment (administrators; sellers: order payments "
            "made to them). Never more than captured in total (CONFLICT)."
        ),
    )
    async def refund_payment(
        self, info: Info[SubgraphContext, None], input: RefundPaymentInput
    ) -> Payment:
        viewer = info.context.viewer

        async def execute() -> dict[str, Any]:
            refund: RefundRow = await services.refund_payment(
                info.context.session,
                actor=viewer,
                provider=providers_of(info.context.request).get(),
                payment_id=str(input.payment_id),
                amount=input.amount,
                reason=input.reason,
            )
            return {"paymentId": refund.payment_id, "refundId": refund.id}

        result = await run_idempotently(
            info.context.session,
            scope=viewer.require_user_id(),
            key=input.idempotency_key,
            operation="refundPayment",
            request={
                "paymentId": str(input.payment_id),
                "amount": input.amount,
                "reason": input.reason,
            },
            execute=execute,
        )
        return await _payment_result(info, result)
