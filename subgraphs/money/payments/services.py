"""Payment intents and refunds. Functions take the session, never commit, never import
Strawberry; every state change goes through `states.require_transition` and is written with
a compare-and-set on the status, so two concurrent requests can never both move one intent.

Flow (docs/money.md, "Payments"): `create_payment` (CREATED) -> `confirm_payment` charges
through the provider: SUCCEEDED (captured into the ledger, `money.payment.succeeded`),
REQUIRES_ACTION (3-D Secure: confirm again with the challenge response), PROCESSING (a bank
debit waiting for its webhook, or a provider network error to retry), FAILED
(`money.payment.failed`); `cancel_payment` before processing. `refund_payment` returns part or
all of a captured payment, never more than captured in total.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.kernel.access import ADMIN, is_staff, require_owner_or_staff
from subgraphs.kernel.context import Viewer
from subgraphs.kernel.currencies import validate_currency
from subgraphs.kernel.db import utcnow
from subgraphs.kernel.errors import Forbidden
from subgraphs.kernel.events import record_event
from subgraphs.kernel.scalars import LONG_MAX
from subgraphs.kernel.validation import optional_text, parse_id
from subgraphs.money.errors import WalletNotActive, WalletNotFound
from subgraphs.money.fraud.payments import screen_payment
from subgraphs.money.fraud.wallets import Screening
from subgraphs.money.ledger import lock_wallets
from subgraphs.money.models import Wallet, WalletStatus
from subgraphs.money.payments import ledger_port
from subgraphs.money.payments.errors import (
    IllegalPaymentTransition,
    InvalidPayment,
    NotRefundable,
    OrderNotPayable,
    OrderUnknown,
    PaymentNotFound,
    ProviderUnavailable,
    RefundExceedsCaptured,
)
from subgraphs.money.payments.methods import usable_method
from subgraphs.money.payments.models import (
    PayableOrder,
    Payment,
    PaymentMethod,
    PaymentMethodKind,
    PaymentPurpose,
    PaymentStatus,
    Refund,
    RefundStatus,
)
from subgraphs.money.payments.provider import (
    ChargeOutcome,
    ChargeResult,
    PaymentProvider,
    ProviderNetworkError,
)
from subgraphs.money.payments.states import require_transition

S = PaymentStatus
MAX_REASON = 200
PROVIDER_UNAVAILABLE = "provider_unavailable"


async def create_payment(
    session: AsyncSession,
    *,
    actor: Viewer,
    method_id: str,
    purpose: PaymentPurpose,
    wallet_id: str | None = None,
    order_id: str | None = None,
    amount: int | None = None,
) -> Payment:
    """A CREATED intent. DEPOSIT: `amount` (> 0) into the payer's `wallet_id`, in the wallet's
    currency. ORDER: the amount and currency commerce announced for `order_id` (never the
    client's), paid by the order's buyer."""
    method = await usable_method(session, actor=actor, method_id=method_id)
    payer_id = method.owner_id
    if purpose is PaymentPurpose.DEPOSIT:
        if wallet_id is None:
            raise InvalidPayment("a deposit names the wallet it fills", field="walletId")
        if order_id is not None:
            raise InvalidPayment("a deposit pays no order", field="orderId")
        if amount is None or not 0 < amount <= LONG_MAX:
            raise InvalidPayment("the amount is a positive number of minor units", field="amount")
        if method.kind is PaymentMethodKind.WALLET:
            raise InvalidPayment(
                "a wallet cannot fund a deposit; use a card or a bank account",
                field="paymentMethodId",
            )
        wallet = await _payer_wallet(session, wallet_id=wallet_id, payer_id=payer_id)
        payment = Payment(
            payer_id=payer_id,
            purpose=purpose,
            amount=amount,
            currency=wallet.currency,
            wallet_id=wallet.id,
        )
    else:
        if order_id is None:
            raise InvalidPayment("an order payment names the order", field="orderId")
        if amount is not None:
            raise InvalidPayment(
                "an order's amount comes from the order; leave amount out", field="amount"
            )
        order = await _payable_order(session, order_id=parse_id(order_id, field="orderId"))
        if order.buyer_id != payer_id:
            raise OrderNotPayable(order.order_id, "only its buyer pays it, with their own method")
        wallet_source: str | None = None
        if method.kind is PaymentMethodKind.WALLET:
            assert method.wallet_id is not None
            source = await _payer_wallet(session, wallet_id=method.wallet_id, payer_id=payer_id)
            if source.currency != order.currency:
                raise InvalidPayment(
                    f"the wallet holds {source.currency}, the order is in {order.currency}",
                    field="paymentMethodId",
                )
            wallet_source = source.id
        payment = Payment(
            payer_id=payer_id,
            purpose=purpose,
            amount=order.amount,
            currency=validate_currency(order.currency),
            wallet_id=wallet_source,
            order_id=order.order_id,
            payee_id=order.payee_id,
        )
    payment.status = S.CREATED
    payment.method_id = method.id
    payment.method_kind = method.kind
    payment.attempts = 0
    payment.refunded_amount = 0
    payment.retryable = False
    session.add(payment)
    await session.flush()
    return payment


async def _payer_wallet(session: AsyncSession, *, wallet_id: str, payer_id: str) -> Wallet:
    wallet_id = parse_id(wallet_id, field="walletId")
    wallet = await session.get(Wallet, wallet_id)
    if wallet is None or wallet.owner_id != payer_id:
        raise WalletNotFound(wallet_id)
    if wallet.status is not WalletStatus.ACTIVE:
        raise WalletNotActive(wallet.id, wallet.status.value)
    return wallet


async def _payable_order(session: AsyncSession, *, order_id: str) -> PayableOrder:
    order = await session.get(PayableOrder, order_id)
    if order is None:
        raise OrderUnknown(order_id)
    if order.cancelled:
        raise OrderNotPayable(order_id, "it was cancelled")
    settled = await session.scalar(
        select(Payment.id).where(
            Payment.order_id == order_id,
            Payment.status.in_([S.SUCCEEDED, S.PROCESSING, S.REQUIRES_ACTION]),
        )
    )
    if settled is not None:
        raise OrderNotPayable(order_id, f"payment {settled} is already paying it")
    return order


async def payment_for(session: AsyncSession, *, actor: Viewer, payment_id: str) -> Payment:
    """The payment (fresh from the database), if the actor paid it or is an administrator."""
    payment_id = parse_id(payment_id, field="paymentId")
    payment = await session.get(Payment, payment_id, populate_existing=True)
    if payment is None:
        raise PaymentNotFound(payment_id)
    require_owner_or_staff(actor, payment.payer_id, what=f"payment {payment_id}")
    return payment


async def _move(session: AsyncSession, payment: Payment, wanted: PaymentStatus) -> None:
    """`payment.status -> wanted`, refused when illegal or when someone moved it meanwhile."""
    current = payment.status
    require_transition(payment.id, current, wanted)
    result = await session.execute(
        update(Payment)
        .where(Payment.id == payment.id, Payment.status == current)
        .values(status=wanted, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        now = await session.scalar(select(Payment.status).where(Payment.id == payment.id))
        raise IllegalPaymentTransition(payment.id, (now or current).value, wanted.value)
    await session.refresh(payment)


async def confirm_payment(
    session: AsyncSession,
    *,
    actor: Viewer,
    provider: PaymentProvider,
    payment_id: str,
    challenge_response: str | None = None,
    screening: Screening | None = None,
) -> Payment:
    """Charge the payment's method (see the module docstring for where it ends up). The first
    confirmation is screened for fraud (docs/money.md) before anything is charged."""
    payment = await payment_for(session, actor=actor, payment_id=payment_id)
    if payment.status not in (S.CREATED, S.REQUIRES_ACTION, S.PROCESSING):
        raise IllegalPaymentTransition(payment.id, payment.status.value, S.PROCESSING.value)
    if payment.status is S.PROCESSING and not payment.retryable:
        raise IllegalPaymentTransition(payment.id, payment.status.value, S.PROCESSING.value)
    if payment.status is S.REQUIRES_ACTION and challenge_response is None:
        raise InvalidPayment(
            "this payment waits for its challenge: send the challenge response",
            field="challengeResponse",
        )
    method = await session.get(PaymentMethod, payment.method_id)
    assert method is not None  # foreign key
    # Not for a PROCESSING retry: the provider may already have charged; it must complete
    # (and be refunded if need be).
    if (
        payment.purpose is PaymentPurpose.ORDER
        and payment.order_id is not None
        and payment.status is not S.PROCESSING
    ):
        order = await session.get(PayableOrder, payment.order_id)
        if order is None or order.cancelled:  # nothing was charged: the intent is void
            await _move(session, payment, S.CANCELED)
            payment.failure_code = "order_cancelled"
            payment.failure_message = "The order was cancelled; nothing was charged."
            await session.flush()
            record_event(
                session,
                "money.payment.canceled",
                _event_payload(payment),
                user_id=payment.payer_id,
            )
            return payment
    if payment.status is S.CREATED:
        await screen_payment(
            session, actor=actor, payment=payment, method=method, screening=screening
        )
    if payment.wallet_id is not None:  # lock it; a frozen wallet neither pays nor receives
        wallet = (await lock_wallets(session, [payment.wallet_id]))[payment.wallet_id]
        if wallet.status is not WalletStatus.ACTIVE:
            raise WalletNotActive(wallet.id, wallet.status.value)
    previous = payment.status
    await _move(session, payment, S.PROCESSING)
    payment.attempts += 1
    if method.kind is PaymentMethodKind.WALLET:
        await _capture(session, payment, actor_id=actor.user_id)
        return payment
    try:
        result = await _charge(provider, payment, method, challenge_response)
    except ProviderNetworkError as exc:
        payment.retryable = True
        payment.failure_code = PROVIDER_UNAVAILABLE
        payment.failure_message = (
            f"The payment provider did not answer ({exc}); confirm again to retry."
        )
        await session.flush()
        return payment
    payment.retryable = False
    payment.failure_code = None
    payment.failure_message = None
    payment.action_url = result.action_url
    payment.provider_reference = result.reference
    if result.outcome is ChargeOutcome.SUCCEEDED:
        await _capture(session, payment, actor_id=actor.user_id)
    elif result.outcome is ChargeOutcome.DECLINED:
        await _fail(
            session,
            payment,
            result.decline_code or "declined",
            result.decline_message or "The payment was declined.",
        )
    elif result.outcome is ChargeOutcome.REQUIRES_ACTION:
        if previous is S.REQUIRES_ACTION:  # a provider asking twice is a failed challenge
            await _fail(session, payment, "authentication_failed", "The challenge failed.")
        else:
            # PROCESSING -> REQUIRES_ACTION is not a client move; undo the provisional step.
            await session.execute(
                update(Payment)
                .where(Payment.id == payment.id, Payment.status == S.PROCESSING)
                .values(status=S.REQUIRES_ACTION, updated_at=utcnow())
                .execution_options(synchronize_session=False)
            )
            await session.refresh(payment)
    await session.flush()
    return payment


async def _charge(
    provider: PaymentProvider,
    payment: Payment,
    method: PaymentMethod,
    challenge_response: str | None,
) -> ChargeResult:
    # One provider idempotency key per intent: a retry can never charge twice.
    key = f"payment:{payment.id}"
    if method.kind is PaymentMethodKind.CARD:
        if method.provider_token is None:
            raise InvalidPayment("the card was removed", field="paymentMethodId")
        return await provider.charge(
            token=method.provider_token,
            amount=payment.amount,
            currency=payment.currency,
            idempotency_key=key,
            attempt=payment.attempts,
            challenge_response=challenge_response,
        )
    if method.account_number is None or method.bank_code is None:
        raise InvalidPayment("the bank account was removed", field="paymentMethodId")
    return await provider.debit_bank_account(
        account_number=method.account_number,
        bank_code=method.bank_code,
        amount=payment.amount,
        currency=payment.currency,
        idempotency_key=key,
    )


def _event_payload(payment: Payment) -> dict[str, object]:
    return {
        "paymentId": payment.id,
        "purpose": payment.purpose.value,
        "method": payment.method_kind.value,
        "amount": payment.amount,
        "currency": payment.currency,
        "orderId": payment.order_id,
        "walletId": payment.wallet_id,
    }


async def _capture(session: AsyncSession, payment: Payment, *, actor_id: str | None) -> None:
    """PROCESSING -> SUCCEEDED with the ledger transaction, in this unit of work."""
    await _move(session, payment, S.SUCCEEDED)
    payment.captured_transaction_id = await ledger_port.capture(
        session, payment, initiated_by=actor_id
    )
    payment.succeeded_at = utcnow()
    payment.retryable = False
    await session.flush()
    record_event(
        session, "money.payment.succeeded", _event_payload(payment), user_id=payment.payer_id
    )


async def _fail(session: AsyncSession, payment: Payment, code: str, message: str) -> None:
    await _move(session, payment, S.FAILED)
    payment.failure_code = code[:48]
    payment.failure_message = message[:300]
    payment.retryable = False
    await session.flush()
    record_event(
        session,
        "money.payment.failed",
        {**_event_payload(payment), "failureCode": payment.failure_code, "reason": message},
        user_id=payment.payer_id,
    )


async def cancel_payment(session: AsyncSession, *, actor: Viewer, payment_id: str) -> Payment:
    payment = await payment_for(session, actor=actor, payment_id=payment_id)
    await _move(session, payment, S.CANCELED)
    await session.flush()
    record_event(
        session, "money.payment.canceled", _event_payload(payment), user_id=payment.payer_id
    )
    return payment


async def settle_from_provider(
    session: AsyncSession,
    *,
    provider_reference: str,
    succeeded: bool,
    failure_code: str | None,
    failure_message: str | None,
) -> tuple[str, str | None]:
    """A provider's word on a charge (a verified webhook): what happened, in words, and the
    payment it concerns (None when no payment has this charge reference)."""
    payment = await session.scalar(
        select(Payment).where(Payment.provider_reference == provider_reference)
    )
    if payment is None:
        return "no payment has this charge reference", None
    if payment.status is not S.PROCESSING:
        return f"payment {payment.id} is already {payment.status.value}", payment.id
    if succeeded:
        await _capture(session, payment, actor_id=None)
    else:
        await _fail(
            session,
            payment,
            failure_code or "declined",
            failure_message or "The provider reported the charge as failed.",
        )
    return f"payment {payment.id} {payment.status.value}", payment.id


async def refund_payment(
    session: AsyncSession,
    *,
    actor: Viewer,
    provider: PaymentProvider,
    payment_id: str,
    amount: int | None,
    reason: str | None,
) -> Refund:
    """Refund `amount` (None: everything left) of a SUCCEEDED payment. The running total is
    raised with a conditional UPDATE, so concurrent refunds can never exceed the capture.
    Administrators refund any payment; a seller the order's payment went to, theirs."""
    payment_id = parse_id(payment_id, field="paymentId")
    actor_id = actor.require_user_id()
    payment = await session.get(Payment, payment_id, populate_existing=True)
    if payment is None:
        raise PaymentNotFound(payment_id)
    if not is_staff(actor, ADMIN) and payment.payee_id != actor_id:
        raise Forbidden(f"Only administrators and the seller paid may refund payment {payment_id}.")
    if payment.status is not S.SUCCEEDED:
        raise NotRefundable(payment.id, payment.status.value)
    left = payment.amount - payment.refunded_amount
    wanted = left if amount is None else amount
    if wanted <= 0:
        if amount is not None:
            raise InvalidPayment("a refund is a positive number of minor units", field="amount")
        raise RefundExceedsCaptured(payment.id, 0, 0, payment.currency)
    if wanted > left:
        raise RefundExceedsCaptured(payment.id, wanted, left, payment.currency)
    text = optional_text(reason, field="reason", max_length=MAX_REASON, default="Refund")
    raised = await session.execute(
        update(Payment)
        .where(
            Payment.id == payment.id,
            Payment.status == S.SUCCEEDED,
            Payment.refunded_amount + wanted <= Payment.amount,
        )
        .values(refunded_amount=Payment.refunded_amount + wanted, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if raised.rowcount != 1:  # type: ignore[attr-defined]
        await session.refresh(payment)
        raise RefundExceedsCaptured(
            payment.id, wanted, payment.amount - payment.refunded_amount, payment.currency
        )
    await session.refresh(payment)
    refund = Refund(
        payment_id=payment.id,
        amount=wanted,
        currency=payment.currency,
        status=RefundStatus.SUCCEEDED,
        reason=text,
        requested_by=actor.user_id,
    )
    session.add(refund)
    await session.flush()
    # The ledger first: a refund the wallet cannot cover is refused before the provider pays.
    refund.transaction_id = await ledger_port.refund(
        session, payment, refund, initiated_by=actor.user_id
    )
    if payment.method_kind is not PaymentMethodKind.WALLET and payment.provider_reference:
        try:
            await provider.refund(
                charge_reference=payment.provider_reference,
                amount=wanted,
                currency=payment.currency,
                idempotency_key=f"refund:{refund.id}",
            )
        except ProviderNetworkError as exc:  # the whole refund rolls back; retry is safe
            raise ProviderUnavailable(str(exc)) from exc
    await session.flush()
    record_event(
        session,
        "money.refund.succeeded",
        {
            "refundId": refund.id,
            "paymentId": payment.id,
            "amount": refund.amount,
            "currency": refund.currency,
            "refundedTotal": payment.refunded_amount,
            "orderId": payment.order_id,
        },
        user_id=payment.payer_id,
    )
    return refund


async def list_refunds_of_payments(
    session: AsyncSession, *, payment_ids: Sequence[str]
) -> Sequence[Refund]:
    rows = await session.scalars(
        select(Refund)
        .where(Refund.payment_id.in_(payment_ids))
        .order_by(Refund.payment_id, Refund.created_at, Refund.id)
    )
    return list(rows)
