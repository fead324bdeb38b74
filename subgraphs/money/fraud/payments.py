"""Screening payments: `confirm_payment` calls `screen_payment` on a payment's first
confirmation (CREATED), before charging anything. The payer's card or bank account is the
money leaving them: the new-payment-method and failed-payment rules watch these."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.kernel.context import Viewer
from subgraphs.money.fraud.models import FraudDecision, MovementKind
from subgraphs.money.fraud.movement import OutgoingMovement
from subgraphs.money.fraud.screening import screen_outgoing_movement
from subgraphs.money.fraud.wallets import Screening
from subgraphs.money.payments.models import Payment, PaymentMethod


async def screen_payment(
    session: AsyncSession,
    *,
    actor: Viewer,
    payment: Payment,
    method: PaymentMethod,
    screening: Screening | None,
) -> FraudDecision | None:
    """The PASSED decision, or MovementHeld / MovementBlocked; None when not screened (staff
    confirming someone else's payment). One decision per payment: a retried confirmation of a
    held payment gets the same hold."""
    if actor.user_id != payment.payer_id:
        return None
    screening = screening or Screening()
    movement = OutgoingMovement(
        kind=MovementKind.PAYMENT,
        user_id=payment.payer_id,
        amount=payment.amount,
        currency=payment.currency,
        origin=screening.origin,
        source_wallet_id=payment.wallet_id,
        payment_method_id=method.id,
        payment_method_created_at=method.created_at,
        idempotency_key=f"payment:{payment.id}",
        request={"paymentId": payment.id},
        approved_decision_id=screening.approved_decision_id,
    )
    return await screen_outgoing_movement(session, movement)
