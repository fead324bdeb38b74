"""Payouts: a withdrawal sends money from a wallet to its owner's bank account through the
payments provider. Functions take the session, never commit, never import Strawberry.

`withdraw_from_wallet` debits the wallet into `payouts.in_transit` (one journal transaction,
under the wallet's lock: never an overdraft), then asks the provider: accepted -> IN_TRANSIT,
refused -> FAILED with the money returned, unreachable -> PENDING (`retry_payout` asks again
with the same provider idempotency key, so it can never pay twice). The provider's signed
webhook settles an IN_TRANSIT payout (`settlement.py`)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.kernel.access import require_owner_or_staff
from subgraphs.kernel.context import Viewer
from subgraphs.kernel.db import new_id, utcnow
from subgraphs.kernel.events import record_event
from subgraphs.kernel.validation import parse_id
from subgraphs.money.errors import WalletNotActive
from subgraphs.money.fraud.models import MovementKind
from subgraphs.money.fraud.wallets import Screening, screen_wallet_movement
from subgraphs.money.idempotency import run_idempotently
from subgraphs.money.ledger import lock_wallets
from subgraphs.money.models import Wallet, WalletStatus
from subgraphs.money.payments.methods import usable_method
from subgraphs.money.payments.models import PaymentMethod, PaymentMethodKind
from subgraphs.money.payments.provider import PaymentProvider, PayoutOutcome, ProviderNetworkError
from subgraphs.money.payouts import ledger_port
from subgraphs.money.payouts.errors import (
    IllegalPayoutTransition,
    NotAPayoutAccount,
    PayoutNotFound,
)
from subgraphs.money.payouts.models import Payout, PayoutStatus
from subgraphs.money.payouts.states import require_transition
from subgraphs.money.services import description_text, positive_amount

S = PayoutStatus
PROVIDER_UNAVAILABLE = "provider_unavailable"
METHOD_REMOVED = "payment_method_removed"
DEFAULT_DESCRIPTION = "Withdrawal"


def event_payload(payout: Payout) -> dict[str, object]:
    return {
        "payoutId": payout.id,
        "walletId": payout.wallet_id,
        "paymentMethodId": payout.method_id,
        "amount": payout.amount,
        "currency": payout.currency,
        "status": payout.status.value,
    }


async def _payout_method(session: AsyncSession, *, actor: Viewer, method_id: str) -> PaymentMethod:
    """A bank account the actor may use (their own; administrators: anyone's)."""
    method = await usable_method(session, actor=actor, method_id=method_id)
    if method.kind is not PaymentMethodKind.BANK_ACCOUNT:
        raise NotAPayoutAccount(
            method.id, f"it is a {method.kind.value}; payouts go to bank accounts"
        )
    return method


async def withdraw_from_wallet(
    session: AsyncSession,
    *,
    actor: Viewer,
    provider: PaymentProvider,
    wallet_id: str,
    method_id: str,
    amount: int,
    description: str | None,
    idempotency_key: str,
    screening: Screening | None = None,
) -> Payout:
    """Pay `amount` minor units (> 0) of an ACTIVE wallet out to the bank account `method_id`
    of the wallet's owner: the owner (screened for fraud) or an administrator. Once per
    idempotency key (scoped to the actor): a retry answers the same payout, as it is now."""
    actor_id = actor.require_user_id()
    amount = positive_amount(amount)
    text = description_text(description, DEFAULT_DESCRIPTION)
    wallet_id = parse_id(wallet_id, field="walletId")
    method_id = parse_id(method_id, field="paymentMethodId")

    async def execute() -> dict[str, Any]:
        payout = await _withdraw(
            session,
            actor=actor,
            provider=provider,
            wallet_id=wallet_id,
            method_id=method_id,
            amount=amount,
            description=text,
            idempotency_key=idempotency_key,
            screening=screening,
        )
        return {"payoutId": payout.id}

    result = await run_idempotently(
        session,
        scope=actor_id,
        key=idempotency_key,
        operation="withdrawFromWallet",
        request={
            "walletId": wallet_id,
            "paymentMethodId": method_id,
            "amount": amount,
            "description": text,
        },
        execute=execute,
    )
    return await payout_by_id(session, result["payoutId"])


async def payout_by_id(session: AsyncSession, payout_id: str) -> Payout:
    """A payout known to exist (an idempotent result names it), fresh from the database."""
    payout = await session.get(Payout, payout_id, populate_existing=True)
    if payout is None:
        raise LookupError(f"payout {payout_id} of an idempotent result is missing")
    return payout


async def _withdraw(
    session: AsyncSession,
    *,
    actor: Viewer,
    provider: PaymentProvider,
    wallet_id: str,
    method_id: str,
    amount: int,
    description: str,
    idempotency_key: str,
    screening: Screening | None,
) -> Payout:
    method = await _payout_method(session, actor=actor, method_id=method_id)
    wallet: Wallet = (await lock_wallets(session, [wallet_id]))[wallet_id]
    require_owner_or_staff(actor, wallet.owner_id, what=f"wallet {wallet.id}")
    if method.owner_id != wallet.owner_id:
        raise NotAPayoutAccount(method.id, "it belongs to someone other than the wallet's owner")
    if wallet.status is not WalletStatus.ACTIVE:
        raise WalletNotActive(wallet.id, wallet.status.value)
    await screen_wallet_movement(
        session,
        kind=MovementKind.WITHDRAWAL,
        actor=actor,
        wallet=wallet,
        amount=amount,
        request={"walletId": wallet.id, "paymentMethodId": method.id, "description": description},
        idempotency_key=idempotency_key,
        screening=screening,
        payment_method_id=method.id,
        payment_method_created_at=method.created_at,
    )
    payout = Payout(
        id=new_id(),
        owner_id=wallet.owner_id,
        wallet_id=wallet.id,
        method_id=method.id,
        last4=method.last4 or "",
        status=S.PENDING,
        amount=amount,
        currency=wallet.currency,
        description=description,
        provider=provider.name,
        attempts=0,
        retryable=False,
        requested_by=actor.user_id,
    )
    journal = await ledger_port.debit_wallet(session, payout, initiated_by=actor.user_id)
    payout.debit_posting_id = journal.postings[0].id
    session.add(payout)
    await session.flush()
    record_event(
        session,
        "money.payout.created",
        {**event_payload(payout), "journalTransactionId": journal.id, "balance": wallet.balance},
        user_id=payout.owner_id,
    )
    await _submit(session, provider, payout, method)
    return payout


async def payout_for(session: AsyncSession, *, actor: Viewer, payout_id: str) -> Payout:
    """The payout (fresh from the database), if the actor owns it or is an administrator."""
    payout_id = parse_id(payout_id, field="payoutId")
    payout = await session.get(Payout, payout_id, populate_existing=True)
    if payout is None:
        raise PayoutNotFound(payout_id)
    require_owner_or_staff(actor, payout.owner_id, what=f"payout {payout_id}")
    return payout


async def retry_payout(
    session: AsyncSession, *, actor: Viewer, provider: PaymentProvider, payout_id: str
) -> Payout:
    """Ask the provider again for a PENDING payout (it was unreachable); else CONFLICT."""
    payout = await payout_for(session, actor=actor, payout_id=payout_id)
    if payout.status is not S.PENDING:
        raise IllegalPayoutTransition(payout.id, payout.status.value, S.IN_TRANSIT.value)
    method = await session.get(PaymentMethod, payout.method_id)
    assert method is not None  # foreign key
    await _submit(session, provider, payout, method)
    return payout


async def _move(session: AsyncSession, payout: Payout, wanted: PayoutStatus) -> None:
    """`payout.status -> wanted`, refused when illegal or when someone moved it meanwhile. On
    PostgreSQL the UPDATE holds the payout's row lock until the transaction ends."""
    current = payout.status
    require_transition(payout.id, current, wanted)
    result = await session.execute(
        update(Payout)
        .where(Payout.id == payout.id, Payout.status == current)
        .values(status=wanted, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        now = await session.scalar(select(Payout.status).where(Payout.id == payout.id))
        raise IllegalPayoutTransition(payout.id, (now or current).value, wanted.value)
    await session.refresh(payout)


async def _submit(
    session: AsyncSession, provider: PaymentProvider, payout: Payout, method: PaymentMethod
) -> None:
    """One attempt at the provider for a PENDING payout (the PENDING -> PENDING claim makes
    concurrent retries of one payout wait for each other, then the later one is CONFLICT)."""
    await _move(session, payout, S.PENDING)
    payout.attempts += 1
    if method.account_number is None or method.bank_code is None:
        await fail(
            session, payout, METHOD_REMOVED, "The bank account was removed before it was paid."
        )
        return
    try:
        result = await provider.create_payout(
            account_number=method.account_number,
            bank_code=method.bank_code,
            holder_name=method.holder_name or "",
            amount=payout.amount,
            currency=payout.currency,
            idempotency_key=f"payout:{payout.id}",
            attempt=payout.attempts,
        )
    except ProviderNetworkError as exc:
        payout.retryable = True
        payout.failure_code = PROVIDER_UNAVAILABLE
        payout.failure_message = (
            f"The payment provider did not answer ({exc}); the money waits in transit: retry "
            "the payout."
        )[:300]
        await session.flush()
        return
    payout.provider_reference = result.reference
    if result.outcome is PayoutOutcome.IN_TRANSIT:
        payout.retryable = False
        payout.failure_code = None
        payout.failure_message = None
        await session.flush()
        await _move(session, payout, S.IN_TRANSIT)
        return
    await fail(
        session,
        payout,
        result.failure_code or "payout_refused",
        result.failure_message or "The provider refused the payout.",
    )


async def fail(session: AsyncSession, payout: Payout, code: str, message: str) -> None:
    """-> FAILED, returning the money to the wallet (a reversing journal transaction)."""
    await _move(session, payout, S.FAILED)
    journal = await ledger_port.return_to_wallet(session, payout)
    payout.reversal_posting_id = journal.postings[1].id
    payout.failure_code = code[:48]
    payout.failure_message = message[:300]
    payout.retryable = False
    payout.failed_at = utcnow()
    await session.flush()
    record_event(
        session,
        "money.payout.failed",
        {
            **event_payload(payout),
            "failureCode": payout.failure_code,
            "reason": payout.failure_message,
            "journalTransactionId": journal.id,
        },
        user_id=payout.owner_id,
    )


async def mark_paid(session: AsyncSession, payout: Payout) -> None:
    """IN_TRANSIT -> PAID, moving the money from in transit to settlement."""
    await _move(session, payout, S.PAID)
    journal = await ledger_port.settle(session, payout)
    payout.settlement_transaction_id = journal.id
    payout.paid_at = utcnow()
    await session.flush()
    record_event(
        session,
        "money.payout.paid",
        {**event_payload(payout), "journalTransactionId": journal.id},
        user_id=payout.owner_id,
    )
