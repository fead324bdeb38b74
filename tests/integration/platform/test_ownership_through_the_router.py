"""Ownership through the router (issue 4): a user reads and changes only their own orders,
tickets, wallets and notifications (the owning subgraph decides: FORBIDDEN, or NOT_FOUND for a
notification, with the rest of the answer intact); the staff roles each schema names see more.
Nothing here changes the shared demo data: every change tried is refused."""

from __future__ import annotations

import asyncio

import aiohttp

from subgraphs.kernel.demo import demo_id, demo_user_id
from tests.integration.platform.client import GraphQLClient, Reply
from tests.integration.platform.demo import ALICE, ALICE_1, ALICE_MUG_TICKET, BOB, WALLETS
from tests.integration.platform.servers import Platform

BOB_ORDER = demo_id("order", "bob-1")
BOB_WALLET = WALLETS[BOB][0]["id"]
DAVE = demo_user_id("dave")  # a support agent
NOTIFICATIONS = "{ notifications(first: 50) { edges { node { id } } } }"


def as_user(platform: Platform, http: aiohttp.ClientSession, user: str, *roles: str):
    return GraphQLClient(http, platform.graphql_url, platform.bearer(user, *roles))


def codes_at(reply: Reply) -> dict[tuple, str]:
    return {tuple(error["path"]): error["extensions"]["code"] for error in reply.errors}


async def test_orders_are_for_their_buyer_and_staff(
    platform: Platform, http: aiohttp.ClientSession
) -> None:
    query = """
    query($theirs: ID!, $mine: ID!, $bob: ID!) {
      theirs: order(id: $theirs) { id status }
      mine: order(id: $mine) { id }
      bob: user(id: $bob) { displayName orders(first: 5) { edges { node { id } } } }
    }
    """
    variables = {"theirs": BOB_ORDER, "mine": ALICE_1, "bob": BOB}

    alice = await as_user(platform, http, ALICE, "user").post(query, variables)
    support = await as_user(platform, http, DAVE, "user", "support_agent").post(query, variables)

    assert alice.data == {
        "theirs": None,
        "mine": {"id": ALICE_1},
        "bob": {"displayName": "Bob Keller", "orders": None},
    }
    assert codes_at(alice) == {("theirs",): "FORBIDDEN", ("bob", "orders"): "FORBIDDEN"}
    assert "errors" not in support.body, support.body
    assert support.data["theirs"]["id"] == BOB_ORDER
    edges = support.data["bob"]["orders"]["edges"]
    assert BOB_ORDER in {edge["node"]["id"] for edge in edges}


async def test_tickets_are_for_their_requester_and_support(
    platform: Platform, http: aiohttp.ClientSession
) -> None:
    query = "query($id: ID!) { ticket(id: $id) { id subject } me { id } }"

    bob = await as_user(platform, http, BOB, "user").post(query, {"id": ALICE_MUG_TICKET})
    alice = await as_user(platform, http, ALICE, "user").post(query, {"id": ALICE_MUG_TICKET})
    support = await as_user(platform, http, DAVE, "user", "support_agent").post(
        query, {"id": ALICE_MUG_TICKET}
    )

    assert bob.data == {"ticket": None, "me": {"id": BOB}}
    assert codes_at(bob) == {("ticket",): "FORBIDDEN"}
    for reply in (alice, support):
        assert "errors" not in reply.body, reply.body
        assert reply.data["ticket"]["id"] == ALICE_MUG_TICKET


async def test_nobody_changes_someone_elses_order_ticket_or_wallet(
    platform: Platform, http: aiohttp.ClientSession
) -> None:
    bob = as_user(platform, http, BOB, "user")
    attempts = {
        "updateOrderStatus": (
            "mutation($id: ID!) { updateOrderStatus(input: { orderId: $id, status: CANCELLED })"
            " { id status } }",
            {"id": ALICE_1},
        ),
        "updateTicketStatus": (
            "mutation($id: ID!) { updateTicketStatus(input: { ticketId: $id, status: CLOSED })"
            " { id status } }",
            {"id": ALICE_MUG_TICKET},
        ),
        "depositToWallet": (
            "mutation($id: ID!) { depositToWallet(input: { walletId: $id, amount: 100 }) { id } }",
            {"id": WALLETS[ALICE][0]["id"]},
        ),
    }

    for field, (mutation, variables) in attempts.items():
        refused = await bob.post(mutation, variables)
        assert refused.data is None, (field, refused.body)
        assert codes_at(refused) == {(field,): "FORBIDDEN"}, (field, refused.body)

    after = await as_user(platform, http, ALICE, "user").post(
        "query($o: ID!, $t: ID!) { order(id: $o) { status } ticket(id: $t) { status } }",
        {"o": ALICE_1, "t": ALICE_MUG_TICKET},
    )
    assert after.data["order"]["status"] == "DELIVERED"
    assert after.data["ticket"]["status"] != "CLOSED"


async def notification_ids(client: GraphQLClient) -> set[str]:
    reply = await client.post(NOTIFICATIONS)
    assert "errors" not in reply.body, reply.body
    return {edge["node"]["id"] for edge in reply.data["notifications"]["edges"]}


async def test_notifications_are_only_their_owners(
    platform: Platform, http: aiohttp.ClientSession
) -> None:
    alice = as_user(platform, http, ALICE, "user")
    bob = as_user(platform, http, BOB, "user")
    # The seeded orders' events become notifications shortly after the platform starts.
    for _ in range(100):
        bobs = await notification_ids(bob)
        if bobs:
            break
        await asyncio.sleep(0.1)
    assert bobs, "Bob never got a notification from his seeded order"

    alices = await notification_ids(alice)
    mark = await alice.post(
        "mutation($id: ID!) { markNotificationRead(input: { id: $id }) { id } }",
        {"id": sorted(bobs)[0]},
    )
    anonymous = await alice.with_headers({}).post(NOTIFICATIONS)

    assert not alices & bobs
    assert codes_at(mark) == {("markNotificationRead",): "NOT_FOUND"}
    assert anonymous.data == {"notifications": None}
    assert codes_at(anonymous) == {("notifications",): "UNAUTHENTICATED"}
