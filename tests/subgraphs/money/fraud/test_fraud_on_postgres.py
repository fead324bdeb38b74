"""Fraud holds on PostgreSQL under concurrency: one user's concurrent transfers (row locks held
when the screen decides) are each either executed or held, never both and never lost; every
hold is on record with its event; approving them executes exactly the held amounts."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, select

from subgraphs.kernel.context import Viewer
from subgraphs.kernel.db import Database, open_database
from subgraphs.kernel.migrations import migrate_to_head_async
from subgraphs.money import services
from subgraphs.money.fraud import FraudDecision, FraudOutcome, MovementHeld
from subgraphs.money.fraud.review import approve_held_movement
from subgraphs.money.models import Outbox, Wallet
from subgraphs.money.verification import verify_ledger
from tests.subgraphs.money.fraud.fraud_helpers import ADMIN, in_request

pytestmark = pytest.mark.postgres

TRANSFERS = 12
AMOUNT = 100


@pytest.fixture(scope="module")
async def database(create_postgres_database) -> AsyncIterator[Database]:
    url = await create_postgres_database()
    await migrate_to_head_async("money", url)
    opened = open_database(url)
    yield opened
    await opened.dispose()


async def test_concurrent_transfers_are_executed_or_held_and_holds_approve_once(database):
    alice, bob = str(uuid.uuid4()), str(uuid.uuid4())

    async def open_wallet(owner: str, deposit: int) -> str:
        async def work(session) -> str:
            wallet = await services.open_wallet(session, owner_id=owner, currency="EUR")
            if deposit:
                await services.deposit_to_wallet(
                    session, actor=None, wallet_id=wallet.id, amount=deposit
                )
            return wallet.id

        return await in_request(database, work)

    source = await open_wallet(alice, 10_000)
    target = await open_wallet(bob, 0)

    async def transfer() -> str:
        try:
            await in_request(
                database,
                lambda session: services.transfer_between_wallets(
                    session,
                    actor=Viewer(user_id=alice),
                    from_wallet_id=source,
                    to_wallet_id=target,
                    amount=AMOUNT,
                    idempotency_key=str(uuid.uuid4()),
                ),
            )
        except MovementHeld as held:
            return str(held.extensions["decisionId"])
        return "executed"

    answers = await asyncio.gather(*(transfer() for _ in range(TRANSFERS)))

    counted = Counter("executed" if answer == "executed" else "held" for answer in answers)
    held_ids = [answer for answer in answers if answer != "executed"]
    assert counted["executed"] >= 5 and counted["held"] >= 1
    assert counted["executed"] + counted["held"] == TRANSFERS
    async with database.sessions() as session:
        wallet = await session.get(Wallet, target)
        assert wallet is not None and wallet.balance == counted["executed"] * AMOUNT
        outcomes = Counter(
            await session.scalars(
                select(FraudDecision.outcome).where(FraudDecision.user_id == alice)
            )
        )
        assert outcomes == {
            FraudOutcome.PASSED: counted["executed"],
            FraudOutcome.HELD: len(held_ids),
        }
        events = await session.scalar(
            select(func.count()).select_from(Outbox).where(Outbox.type == "money.fraud.held")
        )
        assert events == len(held_ids)

    for decision_id in held_ids:
        await in_request(
            database,
            lambda session, decision_id=decision_id: approve_held_movement(
                session, viewer=ADMIN, decision_id=decision_id
            ),
        )

    async with database.sessions() as session:
        wallet = await session.get(Wallet, target)
        assert wallet is not None and wallet.balance == TRANSFERS * AMOUNT
        assert (await verify_ledger(session)).ok
