"""Payouts through the real services on SQLite: the wallet is debited into
`payouts.in_transit` under its lock; the sandbox accepts, refuses (money returned at once) or
does not answer (PENDING, retried with the same provider key); the provider's outcome pays
(in transit -> settlement) or returns the money, once however often it is delivered."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.kernel.context import Viewer
from subgraphs.kernel.errors import Forbidden
from subgraphs.money import services
from subgraphs.money.errors import InsufficientFunds, WalletNotActive
from subgraphs.money.idempotency import IdempotencyConflict
from subgraphs.money.models import WalletStatus
from subgraphs.money.payments import methods
from subgraphs.money.payments.sandbox import (
    PAYOUT_ACCOUNT_CLOSED,
    PAYOUT_NETWORK_DOWN,
    PAYOUT_NETWORK_FLAKY,
)
from subgraphs.money.payouts.errors import IllegalPayoutTransition, NotAPayoutAccount
from subgraphs.money.payouts.models import Payout, PayoutStatus
from tests.subgraphs.money.payouts.payout_helpers import ADMIN, PROVIDER, Bench


async def test_a_payout_goes_in_transit_then_is_paid_into_settlement(bench: Bench) -> None:
    owner, wallet = await bench.funded_wallet(1_000)
    method = await bench.bank_account(owner)

    payout = await bench.withdraw(owner, wallet, method, 600)

    assert payout.status is PayoutStatus.IN_TRANSIT
    assert payout.provider_reference and payout.attempts == 1
    assert (payout.last4, payout.failure_code) == ("3000", None)
    assert await bench.balance(wallet) == 400
    assert await bench.in_transit() == 600

    outcome, payout_id = await bench.settle(payout.provider_reference, paid=True)

    assert payout_id == payout.id and "PAID" in outcome
    paid = await bench.payout(payout.id)
    assert paid.status is PayoutStatus.PAID and paid.paid_at is not None
    assert paid.settlement_transaction_id is not None
    assert await bench.balance(wallet) == 400
    assert (await bench.in_transit(), await bench.settled()) == (0, 600)
    assert await bench.ledger_ok()
    [created] = await bench.events("money.payout.created", owner.user_id)
    [paid_event] = await bench.events("money.payout.paid", owner.user_id)
    assert created["payoutId"] == paid_event["payoutId"] == payout.id
    assert (created["balance"], paid_event["status"]) == (400, "PAID")


async def test_a_payout_the_bank_returns_gives_the_money_back_once(bench: Bench) -> None:
    owner, wallet = await bench.funded_wallet(1_000)
    payout = await bench.withdraw(owner, wallet, await bench.bank_account(owner), 700)

    await bench.settle(payout.provider_reference, paid=False, code="account_closed")
    again, _ = await bench.settle(payout.provider_reference, paid=False)
    contradicting, _ = await bench.settle(payout.provider_reference, paid=True)

    failed = await bench.payout(payout.id)
    assert failed.status is PayoutStatus.FAILED and failed.failure_code == "account_closed"
    assert failed.reversal_posting_id is not None and failed.failed_at is not None
    assert "already FAILED" in again and "already FAILED" in contradicting
    assert await bench.balance(wallet) == 1_000
    assert (await bench.in_transit(), await bench.settled()) == (0, 0)
    assert await bench.ledger_ok()
    [event] = await bench.events("money.payout.failed", owner.user_id)
    assert (event["failureCode"], event["amount"]) == ("account_closed", 700)


async def test_a_closed_account_is_refused_at_once_and_the_money_returned(bench: Bench) -> None:
    owner, wallet = await bench.funded_wallet(500)
    closed = await bench.bank_account(owner, PAYOUT_ACCOUNT_CLOSED)

    payout = await bench.withdraw(owner, wallet, closed, 500)

    assert payout.status is PayoutStatus.FAILED
    assert (payout.failure_code, payout.retryable) == ("account_closed", False)
    assert await bench.balance(wallet) == 500
    assert await bench.in_transit() == 0
    assert await bench.ledger_ok()


async def test_an_unreachable_provider_leaves_the_payout_pending_until_a_retry(
    bench: Bench,
) -> None:
    owner, wallet = await bench.funded_wallet(900)
    flaky = await bench.bank_account(owner, PAYOUT_NETWORK_FLAKY)
    down = await bench.bank_account(owner, PAYOUT_NETWORK_DOWN)

    waiting = await bench.withdraw(owner, wallet, flaky, 300)
    stuck = await bench.withdraw(owner, wallet, down, 200)

    assert waiting.status is PayoutStatus.PENDING and waiting.provider_reference is None
    assert (waiting.failure_code, waiting.retryable) == ("provider_unavailable", True)
    assert await bench.balance(wallet) == 400  # the money waits in transit
    assert await bench.in_transit() == 500

    accepted = await bench.retry(owner, waiting.id)
    still = await bench.retry(owner, stuck.id)

    assert accepted.status is PayoutStatus.IN_TRANSIT and accepted.attempts == 2
    assert (accepted.failure_code, accepted.retryable) == (None, False)
    assert still.status is PayoutStatus.PENDING and still.attempts == 2
    with pytest.raises(IllegalPayoutTransition):
        await bench.retry(owner, accepted.id)
    assert await bench.ledger_ok()


async def test_a_retry_with_the_same_key_answers_the_first_payout(bench: Bench) -> None:
    owner, wallet = await bench.funded_wallet(1_000)
    method = await bench.bank_account(owner)

    first = await bench.withdraw(owner, wallet, method, 250, key="payout-1")
    again = await bench.withdraw(owner, wallet, method, 250, key="payout-1")
    with pytest.raises(IdempotencyConflict):
        await bench.withdraw(owner, wallet, method, 251, key="payout-1")

    assert again.id == first.id
    assert await bench.balance(wallet) == 750


async def test_more_than_the_balance_is_refused_and_records_no_payout(bench: Bench) -> None:
    owner, wallet = await bench.funded_wallet(100)
    method = await bench.bank_account(owner)

    with pytest.raises(InsufficientFunds) as refused:
        await bench.withdraw(owner, wallet, method, 101)

    assert refused.value.extensions == {
        "code": "CONFLICT",
        "field": "amount",
        "reason": "INSUFFICIENT_FUNDS",
    }
    assert await bench.balance(wallet) == 100
    assert await bench.events("money.payout.created", owner.user_id) == []


async def test_only_a_bank_account_of_the_wallets_owner_receives_a_payout(bench: Bench) -> None:
    owner, wallet = await bench.funded_wallet(1_000)
    stranger, _ = await bench.funded_wallet(0)
    strangers_account = await bench.bank_account(stranger)

    async def add_card(session: AsyncSession) -> str:
        assert owner.user_id is not None
        card = await methods.add_card(
            session,
            owner_id=owner.user_id,
            provider=PROVIDER,
            card_number="4242424242424242",
            exp_month=12,
            exp_year=2040,
            cvc="123",
        )
        return card.id

    card = await bench.run(add_card)

    with pytest.raises(NotAPayoutAccount):
        await bench.withdraw(owner, wallet, card, 10)
    with pytest.raises(Forbidden):  # someone else's method
        await bench.withdraw(owner, wallet, strangers_account, 10)
    with pytest.raises(Forbidden):  # someone else's wallet, to one's own account
        await bench.withdraw(stranger, wallet, strangers_account, 10)
    with pytest.raises(NotAPayoutAccount):  # an administrator: only to the owner's account
        await bench.withdraw(ADMIN, wallet, strangers_account, 10)
    by_admin = await bench.withdraw(ADMIN, wallet, await bench.bank_account(owner), 10)
    assert by_admin.status is PayoutStatus.IN_TRANSIT and by_admin.requested_by == ADMIN.user_id
    assert await bench.balance(wallet) == 990


async def test_a_frozen_wallet_pays_nothing_out_but_gets_a_failed_payout_back(
    bench: Bench,
) -> None:
    owner, wallet = await bench.funded_wallet(1_000)
    method = await bench.bank_account(owner)
    payout = await bench.withdraw(owner, wallet, method, 400)
    await bench.run(
        lambda session: services.set_wallet_status(
            session, actor=ADMIN, wallet_id=wallet, status=WalletStatus.FROZEN
        )
    )

    with pytest.raises(WalletNotActive):
        await bench.withdraw(owner, wallet, method, 100)
    await bench.settle(payout.provider_reference, paid=False)

    assert await bench.balance(wallet) == 1_000
    assert await bench.ledger_ok()


async def test_a_bank_account_removed_before_the_retry_fails_the_payout(bench: Bench) -> None:
    owner, wallet = await bench.funded_wallet(1_000)
    flaky = await bench.bank_account(owner, PAYOUT_NETWORK_FLAKY)
    waiting = await bench.withdraw(owner, wallet, flaky, 300)
    await bench.run(
        lambda session: methods.remove_payment_method(session, actor=owner, method_id=flaky)
    )

    failed = await bench.retry(owner, waiting.id)

    assert failed.status is PayoutStatus.FAILED
    assert failed.failure_code == "payment_method_removed"
    assert await bench.balance(wallet) == 1_000


async def test_only_the_owner_or_an_administrator_sees_or_retries_a_payout(bench: Bench) -> None:
    owner, wallet = await bench.funded_wallet(1_000)
    waiting = await bench.withdraw(
        owner, wallet, await bench.bank_account(owner, PAYOUT_NETWORK_DOWN), 100
    )
    stranger = Viewer(user_id=str(uuid.uuid4()), scopes=frozenset({"user"}))

    with pytest.raises(Forbidden):
        await bench.retry(stranger, waiting.id)
    retried: Payout = await bench.retry(ADMIN, waiting.id)
    assert retried.attempts == 2
