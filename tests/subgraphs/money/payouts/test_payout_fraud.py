"""Payouts are screened like every outgoing movement: a high amount to a bank account added
minutes ago is held (nothing debited, no payout) until an administrator approves it into a
payout; with more risk it is blocked; a retry with the same key gets the first answer."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from subgraphs.money.fraud import FraudOutcome, MovementBlocked, MovementHeld
from subgraphs.money.fraud.errors import IncompleteHold
from subgraphs.money.fraud.models import FraudDecision, MovementKind, ReviewStatus
from subgraphs.money.fraud.review import approve_held_movement
from subgraphs.money.fraud.settings import FraudSettings
from subgraphs.money.payments.providers import ProviderRegistry
from subgraphs.money.payments.sandbox import SANDBOX
from subgraphs.money.payouts.models import PayoutStatus
from tests.subgraphs.money.payouts.payout_helpers import ADMIN, PROVIDER, Bench

SETTINGS = FraudSettings()
HIGH = SETTINGS.high_amount
# What the reviewing request gives executors: the app's payment providers.
REVIEWING = SimpleNamespace(
    app=SimpleNamespace(
        state=SimpleNamespace(
            payment_providers=ProviderRegistry(
                webhook_secret=b"unused", tolerance_seconds=300, providers={SANDBOX: PROVIDER}
            )
        )
    )
)


async def decision(bench: Bench, decision_id: str) -> FraudDecision:
    async with bench.database.sessions() as session:
        found = await session.get(FraudDecision, decision_id)
        assert found is not None
        return found


async def test_a_high_payout_to_a_new_bank_account_is_held_then_approved(bench: Bench) -> None:
    owner, wallet = await bench.funded_wallet(2 * HIGH)
    method = await bench.bank_account(owner)

    with pytest.raises(MovementHeld) as held:
        await bench.withdraw(owner, wallet, method, HIGH, key="big-payout")
    with pytest.raises(MovementHeld) as again:
        await bench.withdraw(owner, wallet, method, HIGH, key="big-payout")

    decision_id = held.value.extensions["decisionId"]
    assert again.value.extensions["decisionId"] == decision_id
    hold = await decision(bench, decision_id)
    assert hold.kind is MovementKind.WITHDRAWAL and hold.payment_method_id == method
    assert [reason["rule"] for reason in hold.reasons] == ["NEW_METHOD_HIGH_AMOUNT"]
    assert await bench.balance(wallet) == 2 * HIGH
    assert await bench.in_transit() == 0

    approved = await bench.run(
        lambda session: approve_held_movement(
            session, viewer=ADMIN, decision_id=decision_id, request=REVIEWING
        )
    )
    replayed = await bench.withdraw(owner, wallet, method, HIGH, key="big-payout")

    assert approved.review_status is ReviewStatus.APPROVED
    assert replayed.id == approved.result_id
    assert replayed.status is PayoutStatus.IN_TRANSIT
    assert await bench.balance(wallet) == HIGH  # once
    assert await bench.ledger_ok()


async def test_a_risky_payout_is_blocked_and_moves_nothing(bench: Bench) -> None:
    owner, wallet = await bench.funded_wallet(2 * HIGH)
    method = await bench.bank_account(owner)
    for _ in range(SETTINGS.user_velocity_limit):
        await bench.withdraw(owner, wallet, method, 10)

    with pytest.raises(MovementBlocked) as blocked:
        await bench.withdraw(owner, wallet, method, HIGH)

    assert blocked.value.extensions["code"] == "FORBIDDEN"
    assert (await decision(bench, blocked.value.extensions["decisionId"])).outcome is (
        FraudOutcome.BLOCKED
    )
    assert await bench.balance(wallet) == 2 * HIGH - SETTINGS.user_velocity_limit * 10


async def test_administrators_paying_out_for_an_owner_are_not_screened(bench: Bench) -> None:
    owner, wallet = await bench.funded_wallet(2 * HIGH)

    payout = await bench.withdraw(ADMIN, wallet, await bench.bank_account(owner), HIGH)

    assert payout.status is PayoutStatus.IN_TRANSIT


async def test_a_held_withdrawal_without_a_bank_account_cannot_be_approved(bench: Bench) -> None:
    """Holds recorded before withdrawals became payouts carry no bank account: approving one is
    a CONFLICT saying to reject it, and it stays pending with nothing moved."""
    owner, wallet = await bench.funded_wallet(2 * HIGH)
    method = await bench.bank_account(owner)
    with pytest.raises(MovementHeld) as held:
        await bench.withdraw(owner, wallet, method, HIGH, key="old-hold")
    decision_id = held.value.extensions["decisionId"]
    async with bench.database.sessions() as session:
        old = await session.get(FraudDecision, decision_id)
        assert old is not None
        old.request = {k: v for k, v in (old.request or {}).items() if k != "paymentMethodId"}
        await session.commit()

    with pytest.raises(IncompleteHold) as refused:
        await bench.run(
            lambda session: approve_held_movement(
                session, viewer=ADMIN, decision_id=decision_id, request=REVIEWING
            )
        )

    assert refused.value.extensions["code"] == "CONFLICT"
    assert "reject it" in refused.value.message
    assert (await decision(bench, decision_id)).review_status is ReviewStatus.PENDING
    assert await bench.balance(wallet) == 2 * HIGH
    assert await bench.in_transit() == 0
