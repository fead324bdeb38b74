"""Payments through the router against the six real subgraphs (SQLite): an order placed in
commerce paid in money and read back as `Order.payment` / `Payment.order`; the intent state
machine with the sandbox cards; refund limits (also concurrent); signed webhooks (good, bad,
stale, replayed)."""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp

from subgraphs.kernel.demo import demo_id, demo_user_id
from tests.integration.money.payments_platform import (
    PLACE_ORDER,
    RouterUser,
    admin,
    until_money_knows_order,
    user,
    webhook_secret,
    webhook_url,
)
from tests.integration.platform.servers import Platform
from tests.subgraphs.money.payments.payments_client import (
    ADD_BANK,
    CANCEL,
    CHALLENGE_CARD,
    CONFIRM,
    CREATE,
    DECLINED_CARD,
    PAYMENT,
    REFUND,
    WALLET_BALANCE,
    add_card,
    confirm,
    create_deposit,
    deposit_by_card,
    error_code,
    key,
    ok,
    open_wallet,
    signed_webhook,
)

CANDLE = "carol-candle"  # 1,250 USD in the demo shop


async def balance(client: RouterUser, wallet_id: str) -> int:
    wallet = ok(await client.graphql(WALLET_BALANCE, {"id": wallet_id}), "wallet")
    amount: int = wallet["balance"]["amount"]
    return amount


ORDER_WITH_PAYMENT = """
query($id: ID!) {
  order(id: $id) {
    id status total { amount currency }
    payment {
      status amount { amount currency } method { kind last4 } order { id total { amount } }
    }
  }
}
"""


async def test_an_order_placed_in_commerce_is_paid_in_money_and_read_on_the_order(
    platform: Platform, http: aiohttp.ClientSession
) -> None:
    _, buyer = user(http, platform)
    placed = ok(
        await buyer.graphql(
            PLACE_ORDER,
            {"input": {"lines": [{"productId": demo_id("product", CANDLE), "quantity": 2}]}},
        ),
        "placeOrder",
    )
    assert placed["total"] == {"amount": 2500, "currency": "USD"}
    method_id = await add_card(buyer.graphql)
    created = ok(
        await until_money_knows_order(
            buyer,
            CREATE,
            {
                "input": {
                    "paymentMethodId": method_id,
                    "purpose": "ORDER",
                    "orderId": placed["id"],
                    "idempotencyKey": key(),
                }
            },
        ),
        "createPayment",
    )
    assert created["amount"] == {"amount": 2500, "currency": "USD"}
    paid = await confirm(buyer.graphql, created["id"])
    assert paid["status"] == "SUCCEEDED"

    order = ok(await buyer.graphql(ORDER_WITH_PAYMENT, {"id": placed["id"]}), "order")
    assert order["payment"] == {
        "status": "SUCCEEDED",
        "amount": {"amount": 2500, "currency": "USD"},
        "method": {"kind": "CARD", "last4": "4242"},
        "order": {"id": placed["id"], "total": {"amount": 2500}},
    }


async def test_the_state_machine_through_the_router(
    platform: Platform, http: aiohttp.ClientSession
) -> None:
    _, payer = user(http, platform)
    wallet_id = await open_wallet(payer.graphql, "EUR")

    declined = await deposit_by_card(payer.graphql, wallet_id, 500, DECLINED_CARD)
    assert declined["status"] == "FAILED" and declined["failure"]["code"] == "card_declined"
    for document, extra in ((CONFIRM, {"idempotencyKey": key()}), (CANCEL, {})):
        body = await payer.graphql(document, {"input": {"paymentId": declined["id"], **extra}})
        assert error_code(body) == "CONFLICT"
        assert "FAILED" in body["errors"][0]["message"]

    method_id = await add_card(payer.graphql, CHALLENGE_CARD)
    created = await create_deposit(payer.graphql, method_id, wallet_id, 800)
    assert created["status"] == "CREATED"
    waiting = await confirm(payer.graphql, created["id"])
    assert waiting["status"] == "REQUIRES_ACTION" and waiting["nextAction"]["url"]
    canceled = ok(
        await payer.graphql(CANCEL, {"input": {"paymentId": created["id"]}}), "cancelPayment"
    )
    assert canceled["status"] == "CANCELED"
    late = await payer.graphql(
        CONFIRM,
        {
            "input": {
                "paymentId": created["id"],
                "challengeResponse": "pass",
                "idempotencyKey": key(),
            }
        },
    )
    assert error_code(late) == "CONFLICT"
    assert await balance(payer, wallet_id) == 0


async def refund(client: RouterUser, payment_id: str, amount: int | None) -> dict[str, Any]:
    return await client.graphql(
        REFUND, {"input": {"paymentId": payment_id, "amount": amount, "idempotencyKey": key()}}
    )


async def test_refunds_through_the_router_never_exceed_the_capture(
    platform: Platform, http: aiohttp.ClientSession
) -> None:
    _, payer = user(http, platform)
    operator = admin(http, platform)
    wallet_id = await open_wallet(payer.graphql, "EUR")
    payment = await deposit_by_card(payer.graphql, wallet_id, 1000)
    assert payment["status"] == "SUCCEEDED"
    assert error_code(await refund(payer, payment["id"], 10)) == "FORBIDDEN"

    replies = await asyncio.gather(*(refund(operator, payment["id"], 300) for _ in range(5)))
    assert sum("errors" not in reply for reply in replies) == 3
    assert {error_code(reply) for reply in replies if "errors" in reply} == {"CONFLICT"}
    over = await refund(operator, payment["id"], 101)
    assert error_code(over) == "CONFLICT" and over["errors"][0]["extensions"]["refundable"] == 100
    last = ok(await refund(operator, payment["id"], None), "refundPayment")
    assert last["refundState"] == "REFUNDED" and last["refunded"]["amount"] == 1000
    assert [r["amount"]["amount"] for r in last["refunds"]] == [300, 300, 300, 100]
    assert await balance(payer, wallet_id) == 0


async def test_webhook_signatures_good_bad_stale_and_replayed(
    platform: Platform, http: aiohttp.ClientSession
) -> None:
    _, payer = user(http, platform)
    wallet_id = await open_wallet(payer.graphql, "EUR")
    method = ok(
        await payer.graphql(
            ADD_BANK,
            {
                "input": {
                    "holderName": "Katherine Johnson",
                    "accountNumber": "FR1420041010050500013M02606",
                    "bankCode": "PSSTFRPPXXX",
                }
            },
        ),
        "addBankAccountPaymentMethod",
    )
    created = await create_deposit(payer.graphql, method["id"], wallet_id, 6400)
    pending = await confirm(payer.graphql, created["id"])
    assert pending["status"] == "PROCESSING"
    event = {
        "id": f"evt_{uuid.uuid4().hex}",
        "type": "charge.succeeded",
        "data": {"reference": pending["providerReference"]},
    }
    secret = webhook_secret(platform)

    async def deliver(body: bytes, headers: dict[str, str]) -> tuple[int, dict[str, Any]]:
        async with http.post(webhook_url(platform), data=body, headers=headers) as response:
            return response.status, await response.json()

    forged = signed_webhook(b"someone-else-s-secret-value", event)
    stale = signed_webhook(secret, event, timestamp=int(time.time()) - 3600)
    for body, headers in (forged, stale):
        status, answer = await deliver(body, headers)
        assert status == 400, answer
    still = ok(await payer.graphql(PAYMENT, {"id": created["id"]}), "payment")
    assert still["status"] == "PROCESSING"

    good = signed_webhook(secret, event)
    assert await deliver(*good) == (
        200,
        {"received": True, "duplicate": False, "outcome": f"payment {created['id']} SUCCEEDED"},
    )
    replayed = await deliver(*signed_webhook(secret, event))
    assert replayed == (200, {"received": True, "duplicate": True})
    settled = ok(await payer.graphql(PAYMENT, {"id": created["id"]}), "payment")
    assert settled["status"] == "SUCCEEDED"
    assert await balance(payer, wallet_id) == 6400


ANALYTICS = """
query($input: PaymentAnalyticsInput!) {
  paymentAnalytics(input: $input) {
    day method currency count succeeded volume { amount } refunded { amount }
    refundRate { numerator denominator basisPoints }
  }
}
"""


async def test_the_seller_paid_sees_the_payment_in_analytics_and_may_refund_it(
    platform: Platform, http: aiohttp.ClientSession
) -> None:
    _, buyer = user(http, platform)
    carol = RouterUser(http, platform, platform.bearer(demo_user_id("carol"), "user", "seller"))
    _, stranger = user(http, platform)
    since = datetime.now(UTC)
    placed = ok(
        await buyer.graphql(
            PLACE_ORDER,
            {"input": {"lines": [{"productId": demo_id("product", CANDLE), "quantity": 4}]}},
        ),
        "placeOrder",
    )
    method_id = await add_card(buyer.graphql)
    created = ok(
        await until_money_knows_order(
            buyer,
            CREATE,
            {
                "input": {
                    "paymentMethodId": method_id,
                    "purpose": "ORDER",
                    "orderId": placed["id"],
                    "idempotencyKey": key(),
                }
            },
        ),
        "createPayment",
    )
    assert (await confirm(buyer.graphql, created["id"]))["status"] == "SUCCEEDED"
    seen = ok(await carol.graphql(ORDER_WITH_PAYMENT, {"id": placed["id"]}), "order")
    assert seen["payment"]["status"] == "SUCCEEDED"
    assert error_code(await stranger.graphql(PAYMENT, {"id": created["id"]})) == "FORBIDDEN"
    refunded = ok(await refund(carol, created["id"], 1250), "refundPayment")
    assert refunded["refundState"] == "PARTIALLY_REFUNDED"
    assert error_code(await refund(stranger, created["id"], 1)) == "FORBIDDEN"

    window = {
        "since": (since - timedelta(minutes=1)).isoformat(),
        "until": (datetime.now(UTC) + timedelta(minutes=1)).isoformat(),
        "currency": "USD",
    }
    rows = ok(await carol.graphql(ANALYTICS, {"input": window}), "paymentAnalytics")
    card = [row for row in rows if row["method"] == "CARD"]
    assert len(card) == 1 and card[0]["succeeded"] >= 1
    assert card[0]["volume"]["amount"] >= 5000 and card[0]["refunded"]["amount"] >= 1250
    assert card[0]["refundRate"]["denominator"] == card[0]["volume"]["amount"]
    assert error_code(await stranger.graphql(ANALYTICS, {"input": window})) == "FORBIDDEN"


NOTIFICATIONS = "{ notifications(first: 20) { edges { node { title body category link } } } }"


async def test_payment_events_reach_the_payer_as_notifications(
    platform: Platform, http: aiohttp.ClientSession
) -> None:
    _, payer = user(http, platform)
    wallet_id = await open_wallet(payer.graphql, "EUR")
    declined = await deposit_by_card(payer.graphql, wallet_id, 990, DECLINED_CARD)
    paid = await deposit_by_card(payer.graphql, wallet_id, 1250)
    wanted = {
        ("Payment failed", "Your payment of 9.90 EUR did not go through: The card was declined."),
        ("Payment successful", "Your payment of 12.50 EUR went through."),
    }
    async with asyncio.timeout(15):  # support hears money's events asynchronously
        while True:
            body = ok(await payer.graphql(NOTIFICATIONS, {}), "notifications")
            nodes = [edge["node"] for edge in body["edges"]]
            if wanted <= {(node["title"], node["body"]) for node in nodes}:
                break
            await asyncio.sleep(0.1)
    links = {node["link"] for node in nodes if node["category"] == "PAYMENTS"}
    assert {f"/payments/{declined['id']}", f"/payments/{paid['id']}"} <= links
