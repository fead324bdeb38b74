"""The EHB-5 platform's own subscription through the router, with the real `graphql-ws` client:
a deposit made through the router becomes a notification in support (money outbox -> relay ->
bus -> support) that reaches its owner's `notificationAdded` subscription, with the recipient
completed from identity by an entity fetch per event."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import aiohttp
import orjson
import pytest

from tests.fixtures.benchmark.loopback import bind_loopback_socket
from tests.fixtures.subscriptions.node_client import node_subscribe
from tests.fixtures.subscriptions.sse import events
from tests.integration.platform.demo import ALICE, BOB
from tests.integration.platform.servers import (
    Platform,
    Served,
    create_subgraph,
    detour,
    prepare_databases,
    serve_on,
    start_platform,
)

pytestmark = pytest.mark.npm

ADDED = "subscription { notificationAdded { title category recipient { id displayName } } }"
OPEN_WALLET = "mutation($currency: String!) { openWallet(input: {currency: $currency}) { id } }"
DEPOSIT = """
mutation($input: DepositToWalletInput!) { depositToWallet(input: $input) { id } }
"""


@pytest.fixture(scope="module")
async def platform(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Platform]:
    settings = await prepare_databases(tmp_path_factory.mktemp("subscriptions-platform"))
    running = await start_platform(settings)
    yield running
    await running.stop()


def rebind(served: Served) -> socket.socket:
    """A socket on the port `served` listened on (to bring a stopped server back there)."""
    return bind_loopback_socket(int(served.base_url.rsplit(":", 1)[1]))


async def deposit_until_heard(
    platform: Platform,
    headers: dict[str, str],
    wallet: str,
    next_event: Callable[[], Awaitable[Any]],
) -> Any:
    """Deposit until the subscriber hears a notification: nothing says when the router's
    upstream subscription has reached support, and an event before that reaches nobody (as
    pub/sub does). `next_event` raises TimeoutError when nothing came."""
    for _ in range(10):
        await graphql(platform, DEPOSIT, headers, {"input": {"walletId": wallet, "amount": 5}})
        try:
            while True:  # seeded orders' notifications may still be arriving too
                event = await next_event()
                if b'"PAYMENTS"' in orjson.dumps(event):
                    return event
        except TimeoutError:
            continue
    raise AssertionError("ten deposits and no payment notification")


async def graphql(
    platform: Platform, query: str, headers: dict[str, str], variables: dict[str, Any] | None = None
) -> dict[str, Any]:
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            platform.graphql_url,
            data=orjson.dumps({"query": query, "variables": variables}),
            headers={"content-type": "application/json", **headers},
        ) as response,
    ):
        body: dict[str, Any] = orjson.loads(await response.read())
    assert "errors" not in body, body
    return body


async def test_a_deposit_notifies_its_owner_live_through_the_router(
    platform: Platform, npm_tools: None
) -> None:
    headers = platform.bearer(ALICE, "user")
    ws_url = platform.graphql_url.replace("http://", "ws://")
    client = await node_subscribe(
        ws_url, ADDED, "--token", headers["Authorization"].removeprefix("Bearer ")
    )
    try:
        assert await client.line() == {"event": "connected"}
        await asyncio.sleep(1.0)  # the router's upstream subscription to support opens
        wallet = (await graphql(platform, OPEN_WALLET, headers, {"currency": "CHF"}))["data"][
            "openWallet"
        ]["id"]
        await graphql(platform, DEPOSIT, headers, {"input": {"walletId": wallet, "amount": 1250}})
        event = await client.line()
        while b'"PAYMENTS"' not in orjson.dumps(event):  # the demo seed's may still arrive
            assert event["event"] == "next", event
            event = await client.line()
        assert event == {
            "event": "next",
            "payload": {
                "data": {
                    "notificationAdded": {
                        "title": "Payment received",
                        "category": "PAYMENTS",
                        "recipient": {"id": ALICE, "displayName": "Alice Martin"},
                    }
                }
            },
        }
    finally:
        await client.stop()


async def test_notifications_reach_only_their_owner(platform: Platform, npm_tools: None) -> None:
    """Bob's subscription does not see Alice's deposit; anonymous callers are refused."""
    ws_url = platform.graphql_url.replace("http://", "ws://")
    bob = platform.bearer(BOB, "user")["Authorization"].removeprefix("Bearer ")
    client = await node_subscribe(ws_url, ADDED, "--token", bob)
    try:
        assert await client.line() == {"event": "connected"}
        await asyncio.sleep(1.0)
        alice = platform.bearer(ALICE, "user")
        wallet = (await graphql(platform, OPEN_WALLET, alice, {"currency": "SEK"}))["data"][
            "openWallet"
        ]["id"]
        await graphql(platform, DEPOSIT, alice, {"input": {"walletId": wallet, "amount": 100}})
        heard = []
        with pytest.raises(TimeoutError):
            while True:  # Bob's own seeded notifications may still arrive, never Alice's
                heard.append(await client.line(seconds=1.5))
        recipients = {
            event["payload"]["data"]["notificationAdded"]["recipient"]["id"] for event in heard
        }
        assert recipients <= {BOB}, heard
    finally:
        await client.stop()
    refused = await node_subscribe(ws_url, ADDED)
    try:
        lines = await refused.rest()
        assert lines[0] == {"event": "connected"}
        assert lines[1]["event"] == "next"
        assert lines[1]["payload"]["data"] is None
        assert lines[1]["payload"]["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
        assert lines[2:] == [{"event": "complete"}, {"event": "done"}]
    finally:
        await refused.stop()


async def test_a_deposit_notifies_its_owner_over_server_sent_events(platform: Platform) -> None:
    headers = platform.bearer(ALICE, "user")
    async with aiohttp.ClientSession() as session:
        response = await session.post(
            platform.graphql_url,
            data=orjson.dumps({"query": ADDED}),
            headers={"accept": "text/event-stream", "content-type": "application/json", **headers},
            timeout=aiohttp.ClientTimeout(total=20),
        )
        assert response.status == 200
        heard: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()

        async def read() -> None:
            async for event in events(response):
                await heard.put(event)

        reader = asyncio.create_task(read())
        wallet = (await graphql(platform, OPEN_WALLET, headers, {"currency": "NOK"}))["data"][
            "openWallet"
        ]["id"]
        name, data = await deposit_until_heard(
            platform, headers, wallet, lambda: asyncio.wait_for(heard.get(), timeout=2)
        )
        reader.cancel()
        response.close()

    assert name == "next"
    assert data["data"]["notificationAdded"]["recipient"] == {
        "id": ALICE,
        "displayName": "Alice Martin",
    }


async def test_a_support_restart_ends_the_subscription_with_an_error_and_a_new_one_works(
    platform: Platform, npm_tools: None
) -> None:
    token = platform.bearer(ALICE, "user")["Authorization"].removeprefix("Bearer ")
    async with detour(platform, "support") as side:
        ws_url = side.router.graphql_url.replace("http://", "ws://")
        client = await node_subscribe(ws_url, ADDED, "--token", token)
        try:
            assert await client.line() == {"event": "connected"}
            await asyncio.sleep(1.0)
            await side.subgraph.stop()
            ended = await client.rest()
        finally:
            await client.stop()
        # The same support (database and port) comes back: a new subscription is served.
        restarted = await serve_on(
            "support",
            create_subgraph("support", platform.settings["support"]),
            rebind(side.subgraph),
        )
        try:
            again = await node_subscribe(ws_url, ADDED, "--token", token)
            try:
                assert await again.line() == {"event": "connected"}
                headers = {"Authorization": f"Bearer {token}"}
                wallet = (await graphql(platform, OPEN_WALLET, headers, {"currency": "DKK"}))[
                    "data"
                ]["openWallet"]["id"]
                event = await deposit_until_heard(
                    platform, headers, wallet, lambda: again.line(seconds=2)
                )
            finally:
                await again.stop()
        finally:
            await restarted.stop()

    assert ended[0]["event"] == "next"
    assert ended[0]["payload"]["errors"][0]["extensions"]["code"] == "SUBGRAPH_UNAVAILABLE"
    assert ended[1:] == [{"event": "complete"}, {"event": "done"}]
    assert event["payload"]["data"]["notificationAdded"]["category"] == "PAYMENTS"
