"""screen_outgoing_movement against a real (migrated SQLite) money database: passes are recorded
in the request's transaction; holds and blocks are recorded, with their event, even though the
request that caused them is rolled back."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from subgraphs.kernel.db import Database, utcnow
from subgraphs.kernel.events import record_event
from subgraphs.money.fraud import (
    FraudDecision,
    FraudOutcome,
    MovementBlocked,
    MovementHeld,
    MovementKind,
    MovementOrigin,
    OutgoingMovement,
    screen_outgoing_movement,
)
from subgraphs.money.fraud.models import ReviewStatus
from subgraphs.money.fraud.settings import FraudSettings
from subgraphs.money.models import Outbox

SETTINGS = FraudSettings()


def movement(user_id: str, amount: int = 1_000, **fields) -> OutgoingMovement:
    return OutgoingMovement(
        kind=fields.pop("kind", MovementKind.TRANSFER),
        user_id=user_id,
        amount=amount,
        currency=fields.pop("currency", "EUR"),
        **fields,
    )


async def screen(database: Database, move: OutgoingMovement, **options):
    """Screen in a request-like transaction: committed on success, rolled back on error."""
    async with database.sessions() as session:
        try:
            decision = await screen_outgoing_movement(
                session, move, settings=options.pop("settings", SETTINGS), **options
            )
        except BaseException:
            await session.rollback()
            raise
        await session.commit()
        return decision


async def decisions(database: Database, user_id: str) -> list[FraudDecision]:
    async with database.sessions() as session:
        rows = await session.scalars(
            select(FraudDecision)
            .where(FraudDecision.user_id == user_id)
            .order_by(FraudDecision.created_at)
        )
        return list(rows)


async def events(database: Database, event_type: str) -> list[Outbox]:
    async with database.sessions() as session:
        return list(await session.scalars(select(Outbox).where(Outbox.type == event_type)))


def user() -> str:
    return str(uuid.uuid4())


async def test_an_ordinary_movement_passes_and_is_recorded(database):
    alice = user()

    decision = await screen(database, movement(alice))

    assert decision.outcome is FraudOutcome.PASSED
    assert (decision.score, decision.reasons, decision.review_status) == (0, [], None)
    [stored] = await decisions(database, alice)
    assert stored.id == decision.id


async def test_a_pass_rolled_back_with_its_movement_leaves_no_record(database):
    alice = user()
    async with database.sessions() as session:
        await screen_outgoing_movement(session, movement(alice), settings=SETTINGS)
        await session.rollback()  # the movement itself failed afterwards

    assert await decisions(database, alice) == []


async def test_too_many_movements_hold_the_next_and_the_hold_survives_the_rollback(database):
    alice = user()
    for _ in range(SETTINGS.user_velocity_limit):
        await screen(database, movement(alice))

    with pytest.raises(MovementHeld) as held:
        await screen(database, movement(alice, request={"toWalletId": "w"}))

    assert held.value.extensions["code"] == "MOVEMENT_HELD"
    *_, stored = await decisions(database, alice)
    assert held.value.extensions["decisionId"] == stored.id
    assert stored.outcome is FraudOutcome.HELD
    assert stored.review_status is ReviewStatus.PENDING
    assert stored.score == SETTINGS.user_velocity_points
    assert [reason["rule"] for reason in stored.reasons] == ["USER_VELOCITY"]
    assert stored.request == {"toWalletId": "w"}
    [event] = [e for e in await events(database, "money.fraud.held") if e.user_id == alice]
    assert event.payload["decisionId"] == stored.id
    assert event.payload["rules"] == ["USER_VELOCITY"]


async def test_two_rules_at_once_block_with_forbidden(database):
    alice = user()
    for _ in range(SETTINGS.user_velocity_limit):
        await screen(database, movement(alice))
    fresh_method = movement(
        alice,
        amount=SETTINGS.high_amount,
        kind=MovementKind.PAYMENT,
        payment_method_id=str(uuid.uuid4()),
        payment_method_created_at=utcnow() - timedelta(minutes=5),
    )

    with pytest.raises(MovementBlocked) as blocked:
        await screen(database, fresh_method)

    assert blocked.value.extensions["code"] == "FORBIDDEN"
    assert blocked.value.extensions["reason"] == "FRAUD_BLOCKED"
    *_, stored = await decisions(database, alice)
    assert stored.outcome is FraudOutcome.BLOCKED
    assert stored.review_status is None and stored.request is None
    assert {reason["rule"] for reason in stored.reasons} == {
        "USER_VELOCITY",
        "AMOUNT_SPIKE",  # five movements of 1000 before
        "NEW_METHOD_HIGH_AMOUNT",
    }
    assert any(e.user_id == alice for e in await events(database, "money.fraud.blocked"))


async def test_a_retry_of_a_held_movement_gets_the_same_hold_and_counts_once(database):
    alice = user()
    for _ in range(SETTINGS.user_velocity_limit):
        await screen(database, movement(alice))
    with pytest.raises(MovementHeld) as first:
        await screen(database, movement(alice, idempotency_key="k-1"))

    with pytest.raises(MovementHeld) as again:
        await screen(database, movement(alice, idempotency_key="k-1"))

    assert again.value.extensions["decisionId"] == first.value.extensions["decisionId"]
    assert len(await decisions(database, alice)) == SETTINGS.user_velocity_limit + 1


async def test_one_device_driving_many_accounts_is_held(database):
    device = MovementOrigin(client_address="203.0.113.7", device_id="phone-1")
    for _ in range(SETTINGS.device_velocity_limit):
        await screen(database, movement(user(), origin=device))

    with pytest.raises(MovementHeld):
        await screen(database, movement(user(), origin=device))
    other_device = MovementOrigin(client_address="198.51.100.1", device_id="phone-2")
    assert (await screen(database, movement(user(), origin=other_device))).score == 0


async def test_the_client_address_alone_counts_too(database):
    # Addresses weigh 30 by default (below the hold score): make them decisive here.
    settings = FraudSettings(address_velocity_limit=2, address_velocity_points=40)
    origin = MovementOrigin(client_address="192.0.2.44")
    for _ in range(2):
        await screen(database, movement(user(), origin=origin), settings=settings)

    with pytest.raises(MovementHeld):
        await screen(database, movement(user(), origin=origin), settings=settings)


async def test_an_amount_far_above_the_users_history_is_held(database):
    alice = user()
    settings = FraudSettings(user_velocity_limit=100)
    for amount in (1_000, 2_000, 3_000):
        await screen(database, movement(alice, amount), settings=settings)

    assert (await screen(database, movement(alice, 10_000), settings=settings)).score == 0
    with pytest.raises(MovementHeld):
        # The average is now 4000 over four movements: 20001 is more than five times it.
        await screen(database, movement(alice, 20_001), settings=settings)
    # Another currency has no history: nothing to compare with.
    assert await screen(database, movement(alice, 20_001, currency="USD"), settings=settings)


async def test_failed_payment_events_count_against_the_user(database):
    alice = user()
    async with database.sessions() as session:
        for _ in range(SETTINGS.failed_payments_limit - 1):
            record_event(session, "money.payment.failed", {"amount": 100}, user_id=alice)
        await session.commit()
    assert (await screen(database, movement(alice))).score == 0

    async with database.sessions() as session:
        record_event(session, "money.payment.failed", {"amount": 100}, user_id=alice)
        await session.commit()

    with pytest.raises(MovementHeld):
        await screen(database, movement(alice))


async def test_old_movements_fall_out_of_the_velocity_window(database):
    alice = user()
    long_ago = utcnow() - timedelta(seconds=SETTINGS.velocity_window_seconds + 1)
    for _ in range(SETTINGS.user_velocity_limit):
        await screen(database, movement(alice), now=long_ago)

    assert (await screen(database, movement(alice))).score == 0


async def test_screening_switched_off_passes_everything_but_still_records(database):
    alice = user()
    settings = FraudSettings(enabled=False)
    for _ in range(SETTINGS.user_velocity_limit + 3):
        decision = await screen(database, movement(alice), settings=settings)
        assert decision.outcome is FraudOutcome.PASSED

    assert len(await decisions(database, alice)) == SETTINGS.user_velocity_limit + 3


async def test_a_hold_after_the_caller_wrote_keeps_only_the_decision(database):
    # The caller's writes (an idempotency claim, a wallet lock...) hold SQLite's write lock: the
    # hold is still recorded, on the same connection, and the caller's writes are undone.
    alice = user()
    for _ in range(SETTINGS.user_velocity_limit):
        await screen(database, movement(alice))
    async with database.sessions() as session:
        record_event(session, "money.wallet.opened", {"walletId": "x"}, user_id=alice)
        await session.flush()
        with pytest.raises(MovementHeld):
            await screen_outgoing_movement(session, movement(alice), settings=SETTINGS)
        await session.rollback()  # what the kernel does with a failed mutation

    assert [e for e in await events(database, "money.wallet.opened") if e.user_id == alice] == []
    *_, held = await decisions(database, alice)
    assert held.outcome is FraudOutcome.HELD
