"""PostgreSQL stopped and started again under the running platform: the six subgraphs on a
PostgreSQL of this module's own (migrated, seeded), behind the router.

While it is down, requests end at once with DATABASE_UNAVAILABLE errors (no stack trace, no
wait) and `/ready` fails; once it is back, the same processes serve requests again (their pools
reconnect) and the outbox relays publish again."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import aiohttp
import orjson
import pytest
from sqlalchemy import func, select

from subgraphs import SUBGRAPH_NAMES
from subgraphs.kernel.db import open_database
from subgraphs.kernel.migrations import migrate_to_head_async
from subgraphs.kernel.seeding import seed_demo_data
from subgraphs.kernel.settings import Settings
from subgraphs.money.models import Outbox
from tests.fixtures.private_services import PrivatePostgres
from tests.integration.platform.client import GraphQLClient, Reply
from tests.integration.platform.demo import ALICE, WALLETS
from tests.integration.platform.servers import Platform, money_production_secrets, start_platform

pytestmark = pytest.mark.timeout(60)

# identity, commerce and money in one request.
ACROSS_SUBGRAPHS = """
query ($id: ID!) {
  user(id: $id) {
    displayName
    orders(first: 1) { edges { node { id } } }
    wallets { id balance { amount } }
  }
}
"""
DEPOSIT = """
mutation ($wallet: ID!, $amount: Long!) {
  depositToWallet(input: { walletId: $wallet, amount: $amount }) { id }
}
"""
ALICE_USD = WALLETS[ALICE][0]["id"]
OUTAGE_SECONDS = 1.5  # longer than the relays' poll interval: they meet the outage too


@pytest.fixture(scope="module")
async def platform(private_postgres: PrivatePostgres) -> AsyncIterator[Platform]:
    url = private_postgres.url()
    settings = Settings(
        env="production",
        database_urls=dict.fromkeys(SUBGRAPH_NAMES, url),
        db_pool_size=3,
        db_max_overflow=3,
        outbox_poll_seconds=0.2,
        outbox_max_backoff_seconds=0.5,
    )
    for name in SUBGRAPH_NAMES:
        await migrate_to_head_async(name, url)
        await seed_demo_data(name, settings)
    with money_production_secrets():
        running = await start_platform(dict.fromkeys(SUBGRAPH_NAMES, settings))
        yield running
        await running.stop()


@pytest.fixture(scope="module")
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=15)) as session:
        yield session


@pytest.fixture(scope="module")
def router(platform: Platform, http: aiohttp.ClientSession) -> GraphQLClient:
    return GraphQLClient(http, platform.graphql_url, platform.admin_headers())


async def ready_statuses(platform: Platform, http: aiohttp.ClientSession) -> dict[str, int]:
    statuses: dict[str, int] = {}
    for name, served in platform.subgraphs.items():
        async with http.get(f"{served.base_url}/ready") as response:
            statuses[name] = response.status
    return statuses


def assert_only_database_unavailable(reply: Reply) -> None:
    assert reply.status == 200, reply.body
    assert reply.errors, reply.body
    for error in reply.errors:
        assert error["extensions"]["code"] == "DATABASE_UNAVAILABLE", reply.body
        assert error["message"] == "The database is unavailable right now; try again shortly."
    text = orjson.dumps(reply.body).decode()
    for leak in ("Traceback", "asyncpg", "sqlalchemy", "Connect call failed"):
        assert leak not in text, reply.body


async def unpublished_money_events(private_postgres: PrivatePostgres) -> int:
    database = open_database(private_postgres.url())
    try:
        async with database.sessions() as session:
            query = select(func.count()).select_from(Outbox).where(Outbox.published_at.is_(None))
            return int(await session.scalar(query) or 0)
    finally:
        await database.dispose()


async def test_postgres_restart_gives_clean_errors_then_the_same_processes_recover(
    platform: Platform,
    private_postgres: PrivatePostgres,
    router: GraphQLClient,
    http: aiohttp.ClientSession,
) -> None:
    before = await router.query(ACROSS_SUBGRAPHS, {"id": ALICE})
    assert before["user"]["displayName"] == "Alice Martin"
    assert set((await ready_statuses(platform, http)).values()) == {200}

    await private_postgres.stop()
    async with asyncio.timeout(5):  # no waiting on a server that is not there
        assert_only_database_unavailable(await router.post(ACROSS_SUBGRAPHS, {"id": ALICE}))
        deposit = await router.post(DEPOSIT, {"wallet": ALICE_USD, "amount": 100})
        assert_only_database_unavailable(deposit)
        assert deposit.data is None, deposit.body
        assert set((await ready_statuses(platform, http)).values()) == {503}
    await asyncio.sleep(OUTAGE_SECONDS)

    await private_postgres.start()
    assert await router.query(ACROSS_SUBGRAPHS, {"id": ALICE}) == before
    assert set((await ready_statuses(platform, http)).values()) == {200}
    await router.query(DEPOSIT, {"wallet": ALICE_USD, "amount": 100})
    for _ in range(100):  # the relay publishes the deposit's event: it recovered too
        if not await unpublished_money_events(private_postgres):
            break
        await asyncio.sleep(0.1)
    else:
        raise AssertionError("money's outbox relay published nothing after the restart")
