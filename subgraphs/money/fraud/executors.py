"""Carrying out an approved held movement, per kind (`review.approve_held_movement`).

An executor replays the money-moving service with the arguments recorded when the movement was
held (`FraudDecision.request`) and `approved_decision_id` set, so every check of the service
(wallet status, balance, limits) runs again and the screen lets it through. It acts as the
user whose money it is (their idempotency key scope, so the user's retry of the original
request replays this result) and returns the id of what the movement produced. `request` is
the reviewing request (executors may need the app's resources, e.g. payment providers)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import HTTPConnection

from subgraphs.kernel.context import Viewer
from subgraphs.money import services
from subgraphs.money.fraud.errors import IncompleteHold, NoExecutor
from subgraphs.money.fraud.models import FraudDecision, MovementKind
from subgraphs.money.fraud.wallets import Screening
from subgraphs.money.payments import services as payments
from subgraphs.money.payments.providers import providers_of
from subgraphs.money.payouts import services as payouts

Executor = Callable[[AsyncSession, FraudDecision, HTTPConnection | None], Awaitable[str]]


def _text(decision: FraudDecision, key: str) -> str:
    value = (decision.request or {}).get(key)
    if not isinstance(value, str):
        raise IncompleteHold(decision.id, decision.kind.value, key)
    return value


def _optional_text(decision: FraudDecision, key: str) -> str | None:
    value = (decision.request or {}).get(key)
    return value if isinstance(value, str) else None


async def _execute_transfer(
    session: AsyncSession, decision: FraudDecision, request: HTTPConnection | None
) -> str:
    posting = await services.transfer_between_wallets(
        session,
        actor=Viewer(user_id=decision.user_id),
        from_wallet_id=_text(decision, "fromWalletId"),
        to_wallet_id=_text(decision, "toWalletId"),
        amount=decision.amount,
        description=_optional_text(decision, "description"),
        idempotency_key=decision.idempotency_key,
        screening=Screening(approved_decision_id=decision.id),
    )
    return posting.id


async def _execute_withdrawal(
    session: AsyncSession, decision: FraudDecision, request: HTTPConnection | None
) -> str:
    """Create the held payout now: the wallet is debited and the provider asked (it may still
    refuse, or be unreachable: the payout then waits PENDING for a retry)."""
    if request is None:
        raise NoExecutor(decision.kind.value)
    if decision.idempotency_key is None:
        raise LookupError(f"held {decision.kind.value} {decision.id} has no idempotency key")
    payout = await payouts.withdraw_from_wallet(
        session,
        actor=Viewer(user_id=decision.user_id),
        provider=providers_of(request).get(),
        wallet_id=_text(decision, "walletId"),
        method_id=_text(decision, "paymentMethodId"),
        amount=decision.amount,
        description=_optional_text(decision, "description"),
        idempotency_key=decision.idempotency_key,
        screening=Screening(approved_decision_id=decision.id),
    )
    return payout.id


async def _execute_payment(
    session: AsyncSession, decision: FraudDecision, request: HTTPConnection | None
) -> str:
    """Confirm the held payment now: the provider is charged (it may still decline, or ask
    for a 3-D Secure challenge the payer then answers with confirmPayment)."""
    if request is None:
        raise NoExecutor(decision.kind.value)
    payment = await payments.confirm_payment(
        session,
        actor=Viewer(user_id=decision.user_id),
        provider=providers_of(request).get(),
        payment_id=_text(decision, "paymentId"),
        screening=Screening(approved_decision_id=decision.id),
    )
    return payment.id


_EXECUTORS: dict[MovementKind, Executor] = {
    MovementKind.TRANSFER: _execute_transfer,
    MovementKind.WITHDRAWAL: _execute_withdrawal,
    MovementKind.PAYMENT: _execute_payment,
}


def executor_for(kind: MovementKind) -> Executor | None:
    return _EXECUTORS.get(kind)
