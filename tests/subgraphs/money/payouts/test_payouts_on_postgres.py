"""Payouts on PostgreSQL under concurrency: concurrent withdrawals from one wallet never
overdraw it (the wallet's row lock), concurrent duplicates of one idempotency key make one
payout, and concurrent, contradicting provider outcomes settle each payout exactly once."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest

from subgraphs.kernel.db import Database, open_database
from subgraphs.kernel.migrations import migrate_to_head_async
from subgraphs.money.errors import InsufficientFunds
from subgraphs.money.payouts.models import Payout, PayoutStatus
from tests.subgraphs.money.payouts.payout_helpers import ADMIN, Bench

pytestmark = pytest.mark.postgres

WITHDRAWALS = 20
AMOUNT = 100


@pytest.fixture(scope="module")
async def database(create_postgres_database: Any) -> AsyncIterator[Database]:
    url = await create_postgres_database()
    await migrate_to_head_async("money", url)
    opened = open_database(url)
    yield opened
    await opened.dispose()


async def test_concurrent_withdrawals_never_overdraw_and_outcomes_settle_once(
    bench: Bench,
) -> None:
    owner, wallet = await bench.funded_wallet(AMOUNT * WITHDRAWALS // 2)
    method = await bench.bank_account(owner)

    async def withdraw() -> Payout | None:
        # An administrator's payouts are not screened: this is about locks, not fraud.
        try:
            return await bench.withdraw(ADMIN, wallet, method, AMOUNT)
        except InsufficientFunds:
            return None

    results = await asyncio.gather(*(withdraw() for _ in range(WITHDRAWALS)))
    payouts = [payout for payout in results if payout is not None]

    assert len(payouts) == WITHDRAWALS // 2
    assert await bench.balance(wallet) == 0
    assert await bench.in_transit() == AMOUNT * len(payouts)

    async def deliver(payout: Payout, paid: bool) -> tuple[str, str | None]:
        return await bench.settle(payout.provider_reference, paid=paid)

    # Each payout hears "paid" twice and "failed" once, all at the same time.
    await asyncio.gather(
        *(deliver(payout, paid) for payout in payouts for paid in (True, False, True))
    )

    settled = [await bench.payout(payout.id) for payout in payouts]
    assert all(p.status in (PayoutStatus.PAID, PayoutStatus.FAILED) for p in settled)
    returned = sum(p.amount for p in settled if p.status is PayoutStatus.FAILED)
    paid_out = sum(p.amount for p in settled if p.status is PayoutStatus.PAID)
    assert await bench.balance(wallet) == returned
    assert (await bench.in_transit(), await bench.settled()) == (0, paid_out)
    assert await bench.ledger_ok()


async def test_concurrent_duplicates_of_one_key_make_one_payout(bench: Bench) -> None:
    owner, wallet = await bench.funded_wallet(1_000)
    method = await bench.bank_account(owner)
    key = str(uuid.uuid4())

    results = await asyncio.gather(
        *(bench.withdraw(owner, wallet, method, 300, key=key) for _ in range(5))
    )

    assert len({payout.id for payout in results}) == 1
    assert await bench.balance(wallet) == 700
    assert await bench.ledger_ok()
