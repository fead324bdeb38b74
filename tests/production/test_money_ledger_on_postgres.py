"""The ledger under load on PostgreSQL, through the router: 240 concurrent conflicting transfers
(many more than the balances allow, in both directions between the same wallets, with
concurrent duplicates of one idempotency key) neither overdraw, lose, double-apply money nor
fork the hash chain.

The platform here is tests/production's with one change: money's connection pool waits up to
two minutes for a connection. Every transfer holds the ledger head's lock from its append to
its commit, so 220 of them queue for the pool; the shared default (10 s) is a latency budget
for interactive traffic on a quiet machine, not part of what is proven here."""

from __future__ import annotations

import asyncio
import random
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from subgraphs import SUBGRAPH_NAMES
from subgraphs.kernel.migrations import migrate_to_head_async
from subgraphs.kernel.seeding import seed_demo_data
from tests.integration.platform.client import GraphQLClient, Reply
from tests.integration.platform.servers import (
    Platform,
    money_production_secrets,
    start_platform,
)
from tests.production.conftest import postgres_settings

pytestmark = pytest.mark.postgres

OPEN_WALLET = """
mutation ($owner: ID!) { openWallet(input: { ownerId: $owner, currency: "EUR" }) { id } }
"""
DEPOSIT = """
mutation ($wallet: ID!, $key: String!) {
  depositToWallet(input: { walletId: $wallet, amount: 1000, idempotencyKey: $key }) { id }
}
"""
TRANSFER = """
mutation ($input: TransferBetweenWalletsInput!) {
  transferBetweenWallets(input: $input) { id amount { amount } journalTransaction { sequence } }
}
"""
BALANCES = "query ($id: ID!) { wallet(id: $id) { balance { amount } } }"
VERIFY = """
{ verifyLedger { ok checkedTransactions brokenLink { sequence reason }
  balanceMismatches { accountId } unbalancedCurrencies { amount currency } } }
"""
WALLETS = 5
OPENING_BALANCE = 1000
TRANSFERS = 200
DUPLICATED = 20  # transfers sent twice at once with the same key


@pytest.fixture(scope="module")
async def platform(postgres_url: str) -> AsyncIterator[Platform]:
    settings = postgres_settings(postgres_url)
    for name in SUBGRAPH_NAMES:
        await migrate_to_head_async(name, postgres_url)
        await seed_demo_data(name, settings)
    patient = dict.fromkeys(SUBGRAPH_NAMES, settings)
    patient["money"] = settings.model_copy(update={"db_pool_timeout_seconds": 120.0})
    with money_production_secrets():
        running = await start_platform(patient)
        yield running
    await running.stop()


@pytest.fixture(scope="module")
async def router(platform: Platform) -> AsyncIterator[GraphQLClient]:
    """The router, called by the seeded administrator (who may move any wallet's money)."""
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=300)) as http:
        yield GraphQLClient(http, platform.graphql_url, platform.admin_headers())


async def balance_of(router: GraphQLClient, wallet: str) -> int:
    data = await router.query(BALANCES, {"id": wallet})
    amount: int = data["wallet"]["balance"]["amount"]
    return amount


async def test_concurrent_conflicting_transfers_keep_every_ledger_invariant(
    router: GraphQLClient,
) -> None:
    wallets = []
    for _ in range(WALLETS):
        opened = await router.query(OPEN_WALLET, {"owner": str(uuid.uuid4())})
        wallets.append(opened["openWallet"]["id"])
        await router.query(DEPOSIT, {"wallet": wallets[-1], "key": str(uuid.uuid4())})
    chance = random.Random(7)
    transfers: list[dict[str, Any]] = []
    for _ in range(TRANSFERS):
        source, target = chance.sample(wallets, 2)
        transfers.append(
            {
                "fromWalletId": source,
                "toWalletId": target,
                "amount": chance.randint(50, 400),
                "idempotencyKey": str(uuid.uuid4()),
            }
        )
    sent = transfers + transfers[:DUPLICATED]
    chance.shuffle(sent)

    replies: list[Reply] = await asyncio.gather(
        *(router.post(TRANSFER, {"input": transfer}) for transfer in sent)
    )

    by_key: dict[str, list[Reply]] = {}
    for transfer, reply in zip(sent, replies, strict=True):
        assert reply.status == 200, reply.body
        by_key.setdefault(transfer["idempotencyKey"], []).append(reply)
    codes = Counter(
        reply.errors[0]["extensions"]["code"] if reply.errors else "OK" for reply in replies
    )
    assert set(codes) <= {"OK", "CONFLICT"}, codes
    assert codes["OK"] > 0 and codes["CONFLICT"] > 0, codes  # they really did conflict
    for reply in replies:
        if reply.errors:
            assert "minimum balance" in reply.errors[0]["message"], reply.body
    expected = dict.fromkeys(wallets, OPENING_BALANCE)
    sequences: list[int] = []
    for transfer in transfers:
        # A duplicate waits for the first claim of its key: it replays the first result, or
        # (when that one failed and rolled back with its key) runs itself, once.
        succeeded = [r for r in by_key[transfer["idempotencyKey"]] if not r.errors]
        if not succeeded:
            continue
        assert all(reply.data == succeeded[0].data for reply in succeeded)
        moved = succeeded[0].data["transferBetweenWallets"]
        sequences.append(moved["journalTransaction"]["sequence"])
        expected[transfer["fromWalletId"]] -= transfer["amount"]
        expected[transfer["toWalletId"]] += transfer["amount"]

    assert len(set(sequences)) == len(sequences)  # no two transfers share a link of the chain
    balances = {wallet: await balance_of(router, wallet) for wallet in wallets}
    assert balances == expected
    assert all(balance >= 0 for balance in balances.values())
    assert sum(balances.values()) == WALLETS * OPENING_BALANCE
    report = (await router.query(VERIFY))["verifyLedger"]
    assert report == {
        "ok": True,
        "checkedTransactions": report["checkedTransactions"],
        "brokenLink": None,
        "balanceMismatches": [],
        "unbalancedCurrencies": [],
    }
    assert report["checkedTransactions"] >= WALLETS + len(sequences)
