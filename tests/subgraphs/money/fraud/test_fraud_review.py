"""Held wallet movements through the real wallet services: an administrator's approval executes
the movement (checking the balance again), a rejection moves nothing, a block refuses outright,
and a retry with the same idempotency key gets the first answer."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.kernel.context import Viewer
from subgraphs.kernel.db import Database
from subgraphs.kernel.errors import Conflict, Forbidden, NotFound
from subgraphs.kernel.events import record_event
from subgraphs.money import services
from subgraphs.money.errors import InsufficientFunds
from subgraphs.money.fraud import FraudDecision, FraudOutcome, MovementBlocked, MovementHeld
from subgraphs.money.fraud.models import ReviewStatus
from subgraphs.money.fraud.review import approve_held_movement, reject_held_movement
from subgraphs.money.fraud.settings import FraudSettings
from subgraphs.money.models import Outbox, Wallet
from tests.subgraphs.money.fraud.fraud_helpers import ADMIN, in_request

LIMIT = FraudSettings().user_velocity_limit


class People:
    def __init__(self, database: Database) -> None:
        self.database = database
        self.alice = str(uuid.uuid4())
        self.bob = str(uuid.uuid4())

    async def open(self, owner: str, deposit: int = 0) -> str:
        async def work(session: AsyncSession) -> str:
            wallet = await services.open_wallet(session, owner_id=owner, currency="EUR")
            if deposit:
                await services.deposit_to_wallet(
                    session, actor=None, wallet_id=wallet.id, amount=deposit
                )
            return wallet.id

        return await in_request(self.database, work)

    async def transfer(self, source: str, target: str, amount: int, key: str | None = None) -> Any:
        return await in_request(
            self.database,
            lambda session: services.transfer_between_wallets(
                session,
                actor=Viewer(user_id=self.alice),
                from_wallet_id=source,
                to_wallet_id=target,
                amount=amount,
                idempotency_key=key or str(uuid.uuid4()),
            ),
        )

    async def balance(self, wallet_id: str) -> int:
        async with self.database.sessions() as session:
            wallet = await session.get(Wallet, wallet_id)
            assert wallet is not None
            return wallet.balance

    async def decision(self, decision_id: str) -> FraudDecision:
        async with self.database.sessions() as session:
            found = await session.get(FraudDecision, decision_id)
            assert found is not None
            return found

    async def events(self, event_type: str) -> list[dict[str, Any]]:
        async with self.database.sessions() as session:
            rows = await session.scalars(
                select(Outbox).where(Outbox.type == event_type, Outbox.user_id == self.alice)
            )
            return [row.payload for row in rows]


@pytest.fixture
async def people(database: Database) -> People:
    return People(database)


async def held_transfer(people: People, amount: int = 500, key: str | None = None):
    """Alice's wallets (10000 EUR) and Bob's; LIMIT transfers of 100 pass, the next is held
    (at most 5 x their average: more would add AMOUNT_SPIKE and block it)."""
    source = await people.open(people.alice, deposit=10_000)
    target = await people.open(people.bob)
    for _ in range(LIMIT):
        await people.transfer(source, target, 100)
    with pytest.raises(MovementHeld) as held:
        await people.transfer(source, target, amount, key)
    return source, target, held.value.extensions["decisionId"]


async def test_a_held_transfer_moves_nothing_until_approved_then_executes(people):
    source, target, decision_id = await held_transfer(people)
    assert await people.balance(source) == 10_000 - LIMIT * 100

    decision = await in_request(
        people.database,
        lambda session: approve_held_movement(
            session, viewer=ADMIN, decision_id=decision_id, note="Verified by phone."
        ),
    )

    assert decision.review_status is ReviewStatus.APPROVED
    assert decision.reviewer_id == ADMIN.user_id
    assert decision.result_id is not None
    assert await people.balance(source) == 10_000 - LIMIT * 100 - 500
    assert await people.balance(target) == LIMIT * 100 + 500
    [approved] = await people.events("money.fraud.approved")
    assert approved["decisionId"] == decision_id
    assert approved["resultId"] == decision.result_id
    assert len(await people.events("money.fraud.held")) == 1


async def test_a_rejected_hold_never_moves_money(people):
    source, target, decision_id = await held_transfer(people)

    decision = await in_request(
        people.database,
        lambda session: reject_held_movement(session, viewer=ADMIN, decision_id=decision_id),
    )

    assert decision.review_status is ReviewStatus.REJECTED
    assert decision.result_id is None
    assert await people.balance(source) == 10_000 - LIMIT * 100
    assert await people.balance(target) == LIMIT * 100
    assert len(await people.events("money.fraud.rejected")) == 1
    with pytest.raises(Conflict):
        await in_request(
            people.database,
            lambda session: approve_held_movement(session, viewer=ADMIN, decision_id=decision_id),
        )


async def test_an_approval_checks_the_balance_again_and_keeps_the_hold_when_it_fails(people):
    source, _, decision_id = await held_transfer(people)
    # Meanwhile most of the money left (a trusted transfer): 300 remain, the hold is 500.
    elsewhere = await people.open(str(uuid.uuid4()))
    await in_request(
        people.database,
        lambda session: services.transfer_between_wallets(
            session,
            actor=None,
            from_wallet_id=source,
            to_wallet_id=elsewhere,
            amount=10_000 - LIMIT * 100 - 300,
        ),
    )

    with pytest.raises(InsufficientFunds):
        await in_request(
            people.database,
            lambda session: approve_held_movement(session, viewer=ADMIN, decision_id=decision_id),
        )

    assert (await people.decision(decision_id)).review_status is ReviewStatus.PENDING
    assert await people.balance(source) == 300


async def test_only_administrators_review_and_only_pending_holds(people):
    _, _, decision_id = await held_transfer(people)
    alice = Viewer(user_id=people.alice, scopes=frozenset({"user"}))

    with pytest.raises(Forbidden):
        await in_request(
            people.database,
            lambda session: approve_held_movement(session, viewer=alice, decision_id=decision_id),
        )
    with pytest.raises(NotFound):
        await in_request(
            people.database,
            lambda session: reject_held_movement(
                session, viewer=ADMIN, decision_id=str(uuid.uuid4())
            ),
        )
    await in_request(
        people.database,
        lambda session: approve_held_movement(session, viewer=ADMIN, decision_id=decision_id),
    )
    with pytest.raises(Conflict):
        await in_request(
            people.database,
            lambda session: reject_held_movement(session, viewer=ADMIN, decision_id=decision_id),
        )


async def test_retrying_a_held_transfer_answers_held_and_after_approval_replays(people):
    source, target, decision_id = await held_transfer(people, key="retry-1")

    with pytest.raises(MovementHeld) as again:
        await people.transfer(source, target, 500, key="retry-1")
    assert again.value.extensions["decisionId"] == decision_id

    approved = await in_request(
        people.database,
        lambda session: approve_held_movement(session, viewer=ADMIN, decision_id=decision_id),
    )
    replayed = await people.transfer(source, target, 500, key="retry-1")

    assert replayed.id == approved.result_id
    assert await people.balance(target) == LIMIT * 100 + 500  # once


async def test_a_block_refuses_and_moves_nothing(people):
    source = await people.open(people.alice, deposit=10_000)
    target = await people.open(people.bob)
    for _ in range(LIMIT):
        await people.transfer(source, target, 100)
    async with people.database.sessions() as session:
        for _ in range(FraudSettings().failed_payments_limit):
            record_event(session, "money.payment.failed", {"amount": 1}, user_id=people.alice)
        await session.commit()

    with pytest.raises(MovementBlocked) as blocked:
        await people.transfer(source, target, 500)

    assert blocked.value.extensions["code"] == "FORBIDDEN"
    decision = await people.decision(blocked.value.extensions["decisionId"])
    assert decision.outcome is FraudOutcome.BLOCKED and decision.review_status is None
    assert await people.balance(source) == 10_000 - LIMIT * 100
    assert len(await people.events("money.fraud.blocked")) == 1


async def test_trusted_callers_are_not_screened(people):
    source = await people.open(people.alice, deposit=10_000)
    target = await people.open(people.bob)
    for _ in range(LIMIT + 2):
        await in_request(
            people.database,
            lambda session: services.transfer_between_wallets(
                session, actor=None, from_wallet_id=source, to_wallet_id=target, amount=100
            ),
        )

    async with people.database.sessions() as session:
        screened = await session.scalars(
            select(FraudDecision).where(FraudDecision.user_id == people.alice)
        )
        assert list(screened) == []


async def test_administrators_moving_someone_elses_money_are_not_screened(people):
    source = await people.open(people.alice, deposit=10_000)
    target = await people.open(people.bob)
    for _ in range(LIMIT + 2):
        await in_request(
            people.database,
            lambda session: services.transfer_between_wallets(
                session,
                actor=ADMIN,
                from_wallet_id=source,
                to_wallet_id=target,
                amount=100,
                idempotency_key=str(uuid.uuid4()),
            ),
        )

    assert await people.balance(target) == (LIMIT + 2) * 100
    async with people.database.sessions() as session:
        screened = await session.scalars(
            select(FraudDecision).where(FraudDecision.user_id == people.alice)
        )
        assert list(screened) == []
