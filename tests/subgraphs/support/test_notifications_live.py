"""Domain events become notifications through one mapping (idempotent by event id), and
`notificationAdded` streams each user their own, over graphql-transport-ws."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from subgraphs.kernel.events import DOMAIN_EVENTS
from subgraphs.support.models import NotificationCategory
from subgraphs.support.templates import format_money
from tests.subgraphs.kernel.events_probe import transport_ws
from tests.subgraphs.support.conftest import Notifying
from tests.subgraphs.support.notification_client import (
    NOTIFICATIONS,
    UPDATE_SETTINGS,
    deliveries,
    eventually,
    new_user_id,
    ok,
)

ADDED = """
subscription {
  notificationAdded {
    id title body category link read recipient { id } order { id } ticket { id status }
    deliveries { channel }
  }
}
"""
ORDER_ID = "abcdef12-3456-4789-8abc-def012345678"
TICKET_NOTIFICATIONS = """
{ notifications { edges { node { title ticket { id status subject } order { id } } } } }
"""
OPEN = "mutation($input: OpenTicketInput!) { openTicket(input: $input) { id } }"
MOVE = "mutation($input: UpdateTicketStatusInput!) { updateTicketStatus(input: $input) { status } }"


def envelope(event_type: str, user_id: str | None, payload: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": uuid.uuid4().hex,
        "type": event_type,
        "source": event_type.split(".")[0],
        "occurredAt": "2026-11-29T02:00:00+00:00",
        "userId": user_id,
        "payload": payload,
    }


async def titles(notifying: Notifying, user: str) -> list[str]:
    data = ok(await notifying.secured.as_user(user).graphql(NOTIFICATIONS))
    return [edge["node"]["title"] for edge in data["notifications"]["edges"]]


def bearer(notifying: Notifying, user: str) -> dict[str, str]:
    return notifying.secured.mint.bearer(user, "user", lifetime=600)


async def test_subscribers_receive_only_their_own_notifications(notifying: Notifying) -> None:
    alice, bob = new_user_id(), new_user_id()
    url = notifying.secured.subgraph.url
    async with (
        transport_ws(url, bearer(notifying, alice)) as a,
        transport_ws(url, bearer(notifying, bob)) as b,
    ):
        a_id, b_id = await a.subscribe(ADDED), await b.subscribe(ADDED)
        await asyncio.sleep(0.2)  # both subscribed to their channels
        await notifying.notifier.notify(
            user_id=bob, category=NotificationCategory.SYSTEM, title="for bob", body="b"
        )
        await notifying.notifier.notify(
            user_id=alice, category=NotificationCategory.SYSTEM, title="for alice", body="a"
        )
        got_a = await a.next_data(a_id)
        got_b = await b.next_data(b_id)
    assert got_a["data"]["notificationAdded"]["title"] == "for alice"
    assert got_a["data"]["notificationAdded"]["recipient"] == {"id": alice}
    assert got_a["data"]["notificationAdded"]["read"] is False
    assert got_b["data"]["notificationAdded"]["title"] == "for bob"


async def test_anonymous_subscribers_are_refused(notifying: Notifying) -> None:
    async with transport_ws(notifying.secured.subgraph.url) as anonymous:
        operation = await anonymous.subscribe(ADDED)
        message = await anonymous.receive()
        done = await anonymous.receive()
    assert message["id"] == operation and message["type"] == "next", message
    assert message["payload"]["data"] is None
    assert [e["extensions"]["code"] for e in message["payload"]["errors"]] == ["UNAUTHENTICATED"]
    assert done == {"id": operation, "type": "complete"}


async def test_domain_events_become_notifications_once(notifying: Notifying) -> None:
    user = new_user_id()
    bus = notifying.secured.subgraph.app.state.events
    deposit = envelope(
        "money.deposit.succeeded",
        user,
        {"walletId": "w-1", "amount": 1250, "currency": "EUR", "balance": 123456},
    )
    async with transport_ws(notifying.secured.subgraph.url, bearer(notifying, user)) as live:
        operation = await live.subscribe(ADDED)
        await asyncio.sleep(0.2)
        for _ in range(3):  # at-least-once delivery: the same event again changes nothing
            await bus.publish(DOMAIN_EVENTS, deposit)
        await bus.publish(DOMAIN_EVENTS, envelope("money.wallet.opened", user, {}))
        await bus.publish(
            DOMAIN_EVENTS, envelope("commerce.order.shipped", user, {"orderId": ORDER_ID})
        )
        first = (await live.next_data(operation))["data"]["notificationAdded"]
        second = (await live.next_data(operation))["data"]["notificationAdded"]

    assert first["title"] == "Payment received" and first["category"] == "PAYMENTS"
    assert first["body"] == "12.50 EUR was added to your wallet. Your balance is now 1,234.56 EUR."
    assert first["link"] == "/wallets/w-1"
    assert second["title"] == "Your order has shipped"
    assert second["body"] == "Order abcdef12 is on its way."
    assert second["order"] == {"id": ORDER_ID} and second["ticket"] is None
    assert first["order"] is None and first["deliveries"] == []
    assert await titles(notifying, user) == ["Your order has shipped", "Payment received"]


async def test_paid_and_failed_payouts_notify_the_wallet_owner(notifying: Notifying) -> None:
    owner = new_user_id()
    caller = notifying.secured.as_user(owner)
    ok(await caller.graphql(UPDATE_SETTINGS, {"input": {"email": f"{owner[:8]}@example.com"}}))
    bus = notifying.secured.subgraph.app.state.events
    payout = {"walletId": "w-1", "paymentMethodId": "m-1", "amount": 1200, "currency": "EUR"}
    await bus.publish(
        DOMAIN_EVENTS,
        envelope("money.payout.paid", owner, {**payout, "payoutId": "p-1", "status": "PAID"}),
    )
    await bus.publish(
        DOMAIN_EVENTS,
        envelope(
            "money.payout.failed",
            owner,
            {
                **payout,
                "payoutId": "p-2",
                "status": "FAILED",
                "failureCode": "account_closed",
                "reason": "The bank account is closed.",
            },
        ),
    )

    rows = await eventually(
        lambda: deliveries(caller),
        lambda rows: len(rows) == 2 and all(row["status"] == "SENT" for row in rows),
    )
    data = ok(await caller.graphql(NOTIFICATIONS))
    found = {
        edge["node"]["title"]: (edge["node"]["body"], edge["node"]["link"])
        for edge in data["notifications"]["edges"]
        if edge["node"]["category"] == "PAYMENTS"
    }
    assert found == {
        "Withdrawal paid": ("12.00 EUR was paid out to your bank account.", "/payouts/p-1"),
        "Withdrawal failed": (
            "Your withdrawal of 12.00 EUR did not reach your bank account, so the money went "
            "back to your wallet: The bank account is closed.",
            "/payouts/p-2",
        ),
    }
    assert sorted((row["title"], row["channel"]) for row in rows) == [
        ("Withdrawal failed", "EMAIL"),
        ("Withdrawal paid", "EMAIL"),
    ]


async def test_security_events_notify_urgently(notifying: Notifying) -> None:
    user = new_user_id()
    bus = notifying.secured.subgraph.app.state.events
    await bus.publish(
        DOMAIN_EVENTS,
        envelope("identity.password.changed", user, {"ipAddress": "203.0.113.9", "how": "reset"}),
    )
    await bus.publish(
        DOMAIN_EVENTS, envelope("identity.user.signed_in", user, {"userAgent": "Firefox"})
    )
    found = await eventually(lambda: titles(notifying, user), lambda found: len(found) == 2)
    assert found == ["New sign-in to your account", "Your password was changed"]
    data = ok(await notifying.secured.as_user(user).graphql(NOTIFICATIONS))
    bodies = [edge["node"]["body"] for edge in data["notifications"]["edges"]]
    assert "from an unknown address (Firefox)" in bodies[0]
    assert "(from 203.0.113.9)" in bodies[1]


async def test_ticket_moves_by_staff_notify_the_requester(notifying: Notifying) -> None:
    requester = new_user_id()
    me = notifying.secured.as_user(requester)
    opened = ok(await me.graphql(OPEN, {"input": {"subject": "Lost parcel", "body": "Where?"}}))
    ticket_id = opened["openTicket"]["id"]
    agent = notifying.secured.as_user(new_user_id(), "user", "support_agent")

    ok(await agent.graphql(MOVE, {"input": {"ticketId": ticket_id, "status": "IN_PROGRESS"}}))
    found = await eventually(lambda: titles(notifying, requester), lambda found: len(found) == 1)
    assert found == ["Your ticket was updated"]
    data = ok(await me.graphql(NOTIFICATIONS))
    node = data["notifications"]["edges"][0]["node"]
    assert node["body"] == "“Lost parcel” is now in progress."
    assert node["link"] == f"/support/tickets/{ticket_id}"
    about = ok(await me.graphql(TICKET_NOTIFICATIONS))["notifications"]["edges"][0]["node"]
    assert about["ticket"] == {"id": ticket_id, "status": "IN_PROGRESS", "subject": "Lost parcel"}
    assert about["order"] is None

    # The requester's own move notifies nobody.
    ok(await me.graphql(MOVE, {"input": {"ticketId": ticket_id, "status": "CLOSED"}}))
    await asyncio.sleep(0.5)
    assert await titles(notifying, requester) == ["Your ticket was updated"]


def test_money_is_formatted_from_minor_units() -> None:
    assert format_money(1250, "EUR") == "12.50 EUR"
    assert format_money(1250, "JPY") == "1,250 JPY"
    assert format_money(1250, "KWD") == "1.250 KWD"
    assert format_money("x", None) == "x None"
