"""Redis, the event broadcaster, stopped and restarted under live subscriptions through the
router: the six subgraphs (SQLite) publish and subscribe through a Redis of this module's own.

A subscription open when Redis dies ends with an EVENTS_UNAVAILABLE error (events may have been
missed: it must not wait, unaware, forever); one started while Redis is down is refused with the
same code; once Redis is back, new subscriptions hear new events (the outbox relays and the
domain-event consumers recover by themselves, without restarting any process)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from tests.faults.streams import end_of, payment_notification
from tests.fixtures.private_services import PrivateRedis
from tests.integration.platform.client import GraphQLClient
from tests.integration.platform.demo import ALICE
from tests.integration.platform.servers import Platform, prepare_databases, start_platform
from tests.subgraphs.kernel.events_probe import TransportWsClient, transport_ws

pytestmark = pytest.mark.timeout(60)

ADDED = "subscription { notificationAdded { title category } }"
OPEN_WALLET = "mutation($currency: String!) { openWallet(input: {currency: $currency}) { id } }"
DEPOSIT = "mutation($input: DepositToWalletInput!) { depositToWallet(input: $input) { id } }"


@pytest.fixture(scope="module")
async def platform(
    tmp_path_factory: pytest.TempPathFactory, private_redis: PrivateRedis
) -> AsyncIterator[Platform]:
    prepared = await prepare_databases(tmp_path_factory.mktemp("redis-faults"))
    # A short relay backoff: events recorded while Redis is down go out soon after it returns.
    update = {"broadcast_url": private_redis.url, "outbox_max_backoff_seconds": 0.5}
    settings = {name: config.model_copy(update=update) for name, config in prepared.items()}
    running = await start_platform(settings)
    yield running
    await running.stop()


@pytest.fixture(scope="module")
async def alice(platform: Platform) -> AsyncIterator[GraphQLClient]:
    async with aiohttp.ClientSession() as session:
        yield GraphQLClient(session, platform.graphql_url, platform.bearer(ALICE, "user"))


async def open_wallet(alice: GraphQLClient, currency: str) -> str:
    wallet: str = (await alice.query(OPEN_WALLET, {"currency": currency}))["openWallet"]["id"]
    return wallet


async def deposit_until_notified(
    alice: GraphQLClient, client: TransportWsClient, operation: str, wallet: str
) -> dict[str, Any]:
    """Deposit until the subscription hears the payment notification: nothing says when the
    router's upstream subscription has reached support (an event before that reaches nobody)."""
    for _ in range(15):
        await alice.query(DEPOSIT, {"input": {"walletId": wallet, "amount": 5}})
        heard = await payment_notification(client, operation, within=1.0)
        if heard is not None:
            return heard
    raise AssertionError("fifteen deposits and no payment notification")


@pytest.fixture
async def subscriber(platform: Platform) -> AsyncIterator[TransportWsClient]:
    payload = {"Authorization": platform.bearer(ALICE, "user")["Authorization"]}
    async with transport_ws(platform.router.base_url, payload) as client:
        yield client


async def test_redis_going_away_ends_subscriptions_with_an_error_and_they_work_once_it_is_back(
    platform: Platform,
    private_redis: PrivateRedis,
    alice: GraphQLClient,
    subscriber: TransportWsClient,
) -> None:
    wallet = await open_wallet(alice, "DKK")
    live = await subscriber.subscribe(ADDED)
    await deposit_until_notified(alice, subscriber, live, wallet)

    await private_redis.stop()
    errors = await end_of(subscriber, live, within=10.0)
    assert [error["extensions"]["code"] for error in errors] == ["EVENTS_UNAVAILABLE"], errors
    assert errors[0]["extensions"]["serviceName"] == "support", errors
    assert "event broadcaster" in errors[0]["message"], errors

    refused = await subscriber.subscribe(ADDED)
    errors = await end_of(subscriber, refused, within=10.0)
    assert [error["extensions"]["code"] for error in errors] == ["EVENTS_UNAVAILABLE"], errors
    # Queries and mutations do not need Redis: the deposit's event waits in the outbox.
    await alice.query(DEPOSIT, {"input": {"walletId": wallet, "amount": 7}})

    await private_redis.start()
    again = await subscriber.subscribe(ADDED)
    notification = await deposit_until_notified(alice, subscriber, again, wallet)
    assert notification == {
        "notificationAdded": {"title": "Payment received", "category": "PAYMENTS"}
    }
    await subscriber.send({"id": again, "type": "complete"})
