"""Fraud holds through the router: a user's sixth transfer within ten minutes is held (no money
moves, MOVEMENT_HELD with the decision id), the user sees it among their held movements, an
administrator finds it in the review queue and approves it (the transfer executes), and the
hold reaches observability as an alert and support as the user's notification."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp

from subgraphs.kernel.demo import demo_id
from tests.integration.platform.client import GraphQLClient
from tests.integration.platform.demo import ALICE, BOB
from tests.integration.platform.servers import Platform

ALICE_EUR = demo_id("wallet", "alice-eur")

TRANSFER = """
mutation Transfer($input: TransferBetweenWalletsInput!) {
  transferBetweenWallets(input: $input) { id amount { amount currency } }
}
"""
BALANCE = "query Balance($id: ID!) { wallet(id: $id) { balance { amount currency } } }"
OPEN_WALLET = """
mutation Open($input: OpenWalletInput!) { openWallet(input: $input) { id } }
"""
HELD = """
{ heldMovements { edges { node { id kind reviewStatus amount { amount currency } resultId } } } }
"""
QUEUE = """
query Queue($user: ID!) {
  fraudDecisions(userId: $user, reviewStatus: PENDING) {
    edges { node { id outcome score reasons { rule points } } }
  }
}
"""
APPROVE = """
mutation Approve($input: ReviewHeldMovementInput!) {
  approveHeldMovement(input: $input) { id outcome reviewStatus reviewNote resultId }
}
"""
ALERTS = "{ alerts { edges { node { dedupKey source severity status count } } } }"
NOTIFICATIONS = "{ notifications { edges { node { category title body urgent } } } }"


def client(platform: Platform, http: aiohttp.ClientSession, headers: dict[str, str]):
    return GraphQLClient(http, platform.graphql_url, headers)


async def eventually(read: Callable[[], Awaitable[Any]], seconds: float = 20) -> Any:
    """`read()`'s first truthy answer: events reach their consumers asynchronously."""
    async with asyncio.timeout(seconds):
        while not (found := await read()):  # noqa: ASYNC110 - other processes' work
            await asyncio.sleep(0.1)
    return found


async def test_a_held_transfer_moves_money_only_once_an_administrator_approves(
    platform: Platform, http: aiohttp.ClientSession
) -> None:
    alice = client(platform, http, platform.bearer(ALICE, "user"))
    admin = client(platform, http, platform.admin_headers())
    # A fresh recipient: a new user's EUR wallet (opened by the administrator for them).
    recipient = str(uuid.uuid4())
    opened = await admin.query(OPEN_WALLET, {"input": {"ownerId": recipient, "currency": "EUR"}})
    to_wallet = opened["openWallet"]["id"]

    async def transfer(amount: int) -> Any:
        return await alice.post(
            TRANSFER,
            {
                "input": {
                    "fromWalletId": ALICE_EUR,
                    "toWalletId": to_wallet,
                    "amount": amount,
                    "idempotencyKey": str(uuid.uuid4()),
                }
            },
        )

    for _ in range(5):
        reply = await transfer(100)
        assert "errors" not in reply.body, reply.body
    before = (await alice.query(BALANCE, {"id": ALICE_EUR}))["wallet"]["balance"]

    held = await transfer(500)  # 5 x the average: more would block (AMOUNT_SPIKE too)

    assert held.data is None
    [error] = held.errors
    assert error["extensions"]["code"] == "MOVEMENT_HELD"
    decision_id = error["extensions"]["decisionId"]
    assert (await alice.query(BALANCE, {"id": ALICE_EUR}))["wallet"]["balance"] == before
    mine = (await alice.query(HELD))["heldMovements"]["edges"]
    assert [edge["node"] for edge in mine] == [
        {
            "id": decision_id,
            "kind": "TRANSFER",
            "reviewStatus": "PENDING",
            "amount": {"amount": 500, "currency": "EUR"},
            "resultId": None,
        }
    ]
    # Only administrators read the decision log.
    refused = await alice.post(QUEUE, {"user": ALICE})
    assert refused.errors[0]["extensions"]["code"] == "FORBIDDEN"
    queue = (await admin.query(QUEUE, {"user": ALICE}))["fraudDecisions"]["edges"]
    assert [edge["node"] for edge in queue] == [
        {
            "id": decision_id,
            "outcome": "HELD",
            "score": 40,
            "reasons": [{"rule": "USER_VELOCITY", "points": 40}],
        }
    ]

    approved = await admin.query(
        APPROVE, {"input": {"decisionId": decision_id, "note": "Called the customer."}}
    )

    decision = approved["approveHeldMovement"]
    assert decision["reviewStatus"] == "APPROVED" and decision["outcome"] == "HELD"
    assert decision["reviewNote"] == "Called the customer."
    assert decision["resultId"] is not None
    after = (await alice.query(BALANCE, {"id": ALICE_EUR}))["wallet"]["balance"]
    assert after == {"amount": before["amount"] - 500, "currency": "EUR"}
    recipient_wallet = (await admin.query(BALANCE, {"id": to_wallet}))["wallet"]["balance"]
    assert recipient_wallet == {"amount": 5 * 100 + 500, "currency": "EUR"}
    # Approving twice is refused: it already happened.
    again = await admin.post(APPROVE, {"input": {"decisionId": decision_id}})
    assert again.errors[0]["extensions"]["code"] == "CONFLICT"

    async def fraud_alert() -> dict[str, Any] | None:
        edges = (await admin.query(ALERTS))["alerts"]["edges"]
        return next((e["node"] for e in edges if e["node"]["dedupKey"] == "rule:fraud-holds"), None)

    alert = await eventually(fraud_alert)
    assert (alert["source"], alert["severity"], alert["status"]) == ("money", "WARNING", "OPEN")

    async def titles() -> list[str]:
        edges = (await alice.query(NOTIFICATIONS))["notifications"]["edges"]
        found = [edge["node"]["title"] for edge in edges]
        wanted = {"A transaction is on hold for review", "Your transaction went through"}
        return found if wanted <= set(found) else []

    notified = await eventually(titles)
    assert "A transaction is on hold for review" in notified


async def test_user_wallets_answer_their_owner_and_administrators_only(
    platform: Platform, http: aiohttp.ClientSession
) -> None:
    query = "query($id: ID!) { user(id: $id) { wallets { id currency } } }"
    alice = client(platform, http, platform.bearer(ALICE, "user"))
    bob = client(platform, http, platform.bearer(BOB, "user"))
    admin = client(platform, http, platform.admin_headers())

    own = await alice.query(query, {"id": ALICE})
    as_admin = await admin.query(query, {"id": ALICE})
    refused = await bob.post(query, {"id": ALICE})

    assert [wallet["id"] for wallet in own["user"]["wallets"]] == [
        demo_id("wallet", "alice-usd"),
        ALICE_EUR,
    ]
    assert as_admin == own
    assert refused.data == {"user": {"wallets": None}}
    assert [(e["path"], e["extensions"]["code"]) for e in refused.errors] == [
        (["user", "wallets"], "FORBIDDEN")
    ]


async def test_a_blocked_transfer_is_forbidden_moves_nothing_and_raises_a_critical_alert(
    platform: Platform, http: aiohttp.ClientSession
) -> None:
    bob = client(platform, http, platform.bearer(BOB, "user"))
    admin = client(platform, http, platform.admin_headers())
    bob_usd, alice_usd = demo_id("wallet", "bob-usd"), demo_id("wallet", "alice-usd")

    async def transfer(amount: int) -> Any:
        return await bob.post(
            TRANSFER,
            {
                "input": {
                    "fromWalletId": bob_usd,
                    "toWalletId": alice_usd,
                    "amount": amount,
                    "idempotencyKey": str(uuid.uuid4()),
                }
            },
        )

    for _ in range(5):
        assert "errors" not in (await transfer(100)).body
    before = (await bob.query(BALANCE, {"id": bob_usd}))["wallet"]["balance"]

    # Too many transfers (40) and far above bob's average of 100 (40): blocked at 80.
    blocked = await transfer(5_000)

    [error] = blocked.errors
    assert error["extensions"]["code"] == "FORBIDDEN"
    assert error["extensions"]["reason"] == "FRAUD_BLOCKED"
    assert (await bob.query(BALANCE, {"id": bob_usd}))["wallet"]["balance"] == before
    assert (await bob.query(HELD))["heldMovements"]["edges"] == []

    async def block_alert() -> dict[str, Any] | None:
        edges = (await admin.query(ALERTS))["alerts"]["edges"]
        return next(
            (e["node"] for e in edges if e["node"]["dedupKey"] == "rule:fraud-blocks"), None
        )

    alert = await eventually(block_alert)
    assert (alert["source"], alert["severity"]) == ("money", "CRITICAL")
