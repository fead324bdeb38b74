"""The EHB-5 platform's own subscription through the router, with the real `graphql-ws` client:
a deposit made through the router becomes a notification in support (money outbox -> relay ->
bus -> support) that reaches its owner's `notificationAdded` subscription, with the recipient
completed from identity by an entity fetch per event."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import orjson
import pytest

from tests.fixtures.subscriptions.node_client import node_subscribe
from tests.integration.platform.demo import ALICE, BOB
from tests.integration.platform.servers import Platform, prepare_databases, start_platform

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
        ws_url, ADDED, "--token", headers["Authorization"].removeprefix("Bearer "), "--count", "1"
    )
    try:
        assert await client.line() == {"event": "connected"}
        await asyncio.sleep(1.0)  # the router's upstream subscription to support opens
        wallet = (await graphql(platform, OPEN_WALLET, headers, {"currency": "CHF"}))["data"][
            "openWallet"
        ]["id"]
        await graphql(platform, DEPOSIT, headers, {"input": {"walletId": wallet, "amount": 1250}})
        assert await client.rest() == [
            {
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
            },
            {"event": "done"},
        ]
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
        with pytest.raises(TimeoutError):
            await client.line(seconds=1.5)
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
