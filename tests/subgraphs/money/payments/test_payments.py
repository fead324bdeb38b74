"""Payments on the money subgraph (SQLite): methods, the intent state machine with the sandbox
test cards, capture into the ledger, refunds and their limits, order payments."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, text

from subgraphs.kernel.testing import RunningSubgraph
from subgraphs.money.payments.models import PaymentMethod
from subgraphs.money.payments.orders import handle_order_event
from tests.fixtures.tokens import Secured
from tests.subgraphs.money.payments.payments_client import (
    ADD_BANK,
    ADD_WALLET_METHOD,
    CANCEL,
    CHALLENGE_CARD,
    CONFIRM,
    CREATE,
    DECLINED_CARD,
    FLAKY_CARD,
    PAYMENT,
    REFUND,
    SUCCESS_CARD,
    WALLET_BALANCE,
    add_card,
    confirm,
    create_deposit,
    deposit_by_card,
    error_code,
    key,
    ok,
    open_wallet,
)


def new_user(secured: Secured, *roles: str) -> RunningSubgraph:
    return secured.as_user(str(uuid.uuid4()), "user", *roles)


async def balance(money: RunningSubgraph, wallet_id: str) -> int:
    amount: int = ok(await money.graphql(WALLET_BALANCE, {"id": wallet_id}), "wallet")["balance"][
        "amount"
    ]
    return amount


async def test_a_card_keeps_only_brand_last_four_and_expiry(secured: Secured) -> None:
    money = new_user(secured)
    method_id = await add_card(money.graphql, "4242 4242 4242 4242")
    async with money.database.sessions() as session:
        method = await session.get(PaymentMethod, method_id)
        assert method is not None
        assert (method.brand, method.last4) == ("visa", "4242")
        raw = (
            await session.execute(
                text("SELECT * FROM money_payment_methods WHERE id = :id"), {"id": method_id}
            )
        ).one()
    assert not any("4242424242424242" in str(value) for value in raw)


async def test_a_bank_account_number_is_encrypted_at_rest_and_shows_its_last_four(
    secured: Secured,
) -> None:
    money = new_user(secured)
    body = await money.graphql(
        ADD_BANK,
        {
            "input": {
                "holderName": "Ada Lovelace",
                "accountNumber": "DE89 3704 0044 0532 0130 00",
                "bankCode": "COBADEFFXXX",
            }
        },
    )
    method = ok(body, "addBankAccountPaymentMethod")
    assert method["last4"] == "3000" and method["kind"] == "BANK_ACCOUNT"
    async with money.database.sessions() as session:
        stored = await session.scalar(
            text("SELECT account_number FROM money_payment_methods WHERE id = :id"),
            {"id": method["id"]},
        )
    assert stored is not None and "DE89370400440532013000" not in stored


async def test_a_card_deposit_succeeds_and_is_captured_into_the_wallet(secured: Secured) -> None:
    money = new_user(secured)
    wallet_id = await open_wallet(money.graphql)
    payment = await deposit_by_card(money.graphql, wallet_id, 2500)
    assert payment["status"] == "SUCCEEDED" and payment["attempts"] == 1
    assert payment["capturedTransactionId"] is not None
    assert await balance(money, wallet_id) == 2500


async def test_a_declined_card_fails_the_payment_and_moves_no_money(secured: Secured) -> None:
    money = new_user(secured)
    wallet_id = await open_wallet(money.graphql)
    payment = await deposit_by_card(money.graphql, wallet_id, 700, DECLINED_CARD)
    assert payment["status"] == "FAILED"
    assert payment["failure"] == {
        "code": "card_declined",
        "message": "The card was declined.",
        "retryable": False,
    }
    assert await balance(money, wallet_id) == 0


async def test_a_challenge_card_needs_its_action_then_a_second_confirm(secured: Secured) -> None:
    money = new_user(secured)
    wallet_id = await open_wallet(money.graphql)
    method_id = await add_card(money.graphql, CHALLENGE_CARD)
    created = await create_deposit(money.graphql, method_id, wallet_id, 900)
    waiting = await confirm(money.graphql, created["id"])
    assert waiting["status"] == "REQUIRES_ACTION"
    assert waiting["nextAction"]["type"] == "THREE_D_SECURE"
    body = await money.graphql(
        CONFIRM, {"input": {"paymentId": created["id"], "idempotencyKey": key()}}
    )
    assert error_code(body) == "BAD_USER_INPUT"
    done = await confirm(money.graphql, created["id"], challenge="pass")
    assert done["status"] == "SUCCEEDED" and done["nextAction"] is None
    assert await balance(money, wallet_id) == 900


async def test_a_failed_challenge_fails_the_payment(secured: Secured) -> None:
    money = new_user(secured)
    wallet_id = await open_wallet(money.graphql)
    method_id = await add_card(money.graphql, CHALLENGE_CARD)
    created = await create_deposit(money.graphql, method_id, wallet_id, 900)
    await confirm(money.graphql, created["id"])
    failed = await confirm(money.graphql, created["id"], challenge="wrong")
    assert failed["status"] == "FAILED" and failed["failure"]["code"] == "authentication_failed"


async def test_a_network_error_leaves_a_retryable_processing_payment_that_a_retry_completes(
    secured: Secured,
) -> None:
    money = new_user(secured)
    wallet_id = await open_wallet(money.graphql)
    method_id = await add_card(money.graphql, FLAKY_CARD)
    created = await create_deposit(money.graphql, method_id, wallet_id, 1200)
    first = await confirm(money.graphql, created["id"])
    assert first["status"] == "PROCESSING"
    assert first["failure"]["code"] == "provider_unavailable" and first["failure"]["retryable"]
    assert await balance(money, wallet_id) == 0
    second = await confirm(money.graphql, created["id"])
    assert second["status"] == "SUCCEEDED" and second["attempts"] == 2
    assert second["failure"] is None
    assert await balance(money, wallet_id) == 1200


async def test_illegal_moves_are_conflicts_that_name_the_states(secured: Secured) -> None:
    money = new_user(secured)
    wallet_id = await open_wallet(money.graphql)
    payment = await deposit_by_card(money.graphql, wallet_id, 100)
    cancel = await money.graphql(CANCEL, {"input": {"paymentId": payment["id"]}})
    assert error_code(cancel) == "CONFLICT"
    assert "SUCCEEDED" in cancel["errors"][0]["message"]
    again = await money.graphql(
        CONFIRM, {"input": {"paymentId": payment["id"], "idempotencyKey": key()}}
    )
    assert error_code(again) == "CONFLICT"
    assert await balance(money, wallet_id) == 100


async def test_a_created_payment_can_be_canceled_once(secured: Secured) -> None:
    money = new_user(secured)
    wallet_id = await open_wallet(money.graphql)
    method_id = await add_card(money.graphql)
    created = await create_deposit(money.graphql, method_id, wallet_id, 100)
    canceled = ok(
        await money.graphql(CANCEL, {"input": {"paymentId": created["id"]}}), "cancelPayment"
    )
    assert canceled["status"] == "CANCELED"
    confirm_after = await money.graphql(
        CONFIRM, {"input": {"paymentId": created["id"], "idempotencyKey": key()}}
    )
    assert error_code(confirm_after) == "CONFLICT"


async def test_the_same_idempotency_key_replays_and_another_payload_is_a_conflict(
    secured: Secured,
) -> None:
    money = new_user(secured)
    wallet_id = await open_wallet(money.graphql)
    method_id = await add_card(money.graphql)
    same = {
        "paymentMethodId": method_id,
        "purpose": "DEPOSIT",
        "walletId": wallet_id,
        "amount": 500,
        "idempotencyKey": key(),
    }
    first = ok(await money.graphql(CREATE, {"input": same}), "createPayment")
    replay = ok(await money.graphql(CREATE, {"input": same}), "createPayment")
    assert replay["id"] == first["id"]
    changed = await money.graphql(CREATE, {"input": {**same, "amount": 501}})
    assert error_code(changed) == "CONFLICT"


async def test_someone_elses_payment_is_forbidden(secured: Secured) -> None:
    owner, stranger = new_user(secured), new_user(secured)
    wallet_id = await open_wallet(owner.graphql)
    payment = await deposit_by_card(owner.graphql, wallet_id, 100)
    assert error_code(await stranger.graphql(PAYMENT, {"id": payment["id"]})) == "FORBIDDEN"
    body = await stranger.graphql(
        CONFIRM, {"input": {"paymentId": payment["id"], "idempotencyKey": key()}}
    )
    assert error_code(body) == "FORBIDDEN"
    assert ok(await secured.admin.graphql(PAYMENT, {"id": payment["id"]}), "payment")["id"]


async def refund(money: RunningSubgraph, payment_id: str, amount: int | None) -> dict[str, object]:
    return await money.graphql(
        REFUND, {"input": {"paymentId": payment_id, "amount": amount, "idempotencyKey": key()}}
    )


async def test_partial_then_full_refunds_never_exceed_the_capture(secured: Secured) -> None:
    money = new_user(secured)
    wallet_id = await open_wallet(money.graphql)
    payment = await deposit_by_card(money.graphql, wallet_id, 1000)
    admin = secured.admin
    assert error_code(await refund(money, payment["id"], 100)) == "FORBIDDEN"
    partial = ok(await refund(admin, payment["id"], 300), "refundPayment")
    assert partial["refundState"] == "PARTIALLY_REFUNDED"
    assert partial["refunded"]["amount"] == 300 and partial["refundable"]["amount"] == 700
    too_much = await refund(admin, payment["id"], 701)
    assert error_code(too_much) == "CONFLICT"
    assert too_much["errors"][0]["extensions"]["refundable"] == 700
    rest = ok(await refund(admin, payment["id"], None), "refundPayment")
    assert rest["refundState"] == "REFUNDED" and rest["refundable"]["amount"] == 0
    assert [r["amount"]["amount"] for r in rest["refunds"]] == [300, 700]
    assert error_code(await refund(admin, payment["id"], 1)) == "CONFLICT"
    assert await balance(money, wallet_id) == 0


async def test_concurrent_refunds_never_refund_more_than_captured(secured: Secured) -> None:
    money = new_user(secured)
    wallet_id = await open_wallet(money.graphql)
    payment = await deposit_by_card(money.graphql, wallet_id, 1000)
    replies = await asyncio.gather(*(refund(secured.admin, payment["id"], 300) for _ in range(6)))
    succeeded = [reply for reply in replies if "errors" not in reply]
    assert len(succeeded) == 3
    assert all(error_code(reply) == "CONFLICT" for reply in replies if "errors" in reply)
    final = ok(await secured.admin.graphql(PAYMENT, {"id": payment["id"]}), "payment")
    assert final["refunded"]["amount"] == 900
    assert await balance(money, wallet_id) == 100


async def test_a_refund_the_wallet_can_no_longer_cover_is_refused_whole(secured: Secured) -> None:
    money = new_user(secured)
    wallet_id = await open_wallet(money.graphql)
    first = await deposit_by_card(money.graphql, wallet_id, 500)
    ok(await refund(secured.admin, first["id"], 400), "refundPayment")
    # 100 left in the wallet; refunding the remaining 100 empties it, a bigger one is refused.
    assert error_code(await refund(secured.admin, first["id"], 101)) == "CONFLICT"
    still = ok(await secured.admin.graphql(PAYMENT, {"id": first["id"]}), "payment")
    assert still["refunded"]["amount"] == 400


async def place_order(money: RunningSubgraph, buyer_id: str, amount: int, currency: str) -> str:
    order_id = str(uuid.uuid4())
    await handle_order_event(
        money.database,
        {
            "id": uuid.uuid4().hex,
            "type": "commerce.order.placed",
            "userId": buyer_id,
            "payload": {"orderId": order_id, "totalAmount": amount, "currency": currency},
        },
    )
    return order_id


async def test_an_order_is_paid_for_commerce_s_amount_from_a_wallet(secured: Secured) -> None:
    buyer_id = str(uuid.uuid4())
    money = secured.as_user(buyer_id, "user")
    wallet_id = await open_wallet(money.graphql)
    await deposit_by_card(money.graphql, wallet_id, 5000)
    order_id = await place_order(money, buyer_id, 1999, "EUR")
    method = ok(
        await money.graphql(ADD_WALLET_METHOD, {"input": {"walletId": wallet_id}}),
        "addWalletPaymentMethod",
    )
    with_amount = await money.graphql(
        CREATE,
        {
            "input": {
                "paymentMethodId": method["id"],
                "purpose": "ORDER",
                "orderId": order_id,
                "amount": 1,
                "idempotencyKey": key(),
            }
        },
    )
    assert error_code(with_amount) == "BAD_USER_INPUT"
    created = ok(
        await money.graphql(
            CREATE,
            {
                "input": {
                    "paymentMethodId": method["id"],
                    "purpose": "ORDER",
                    "orderId": order_id,
                    "idempotencyKey": key(),
                }
            },
        ),
        "createPayment",
    )
    assert created["amount"] == {"amount": 1999, "currency": "EUR"}
    paid = await confirm(money.graphql, created["id"])
    assert paid["status"] == "SUCCEEDED"
    assert await balance(money, wallet_id) == 5000 - 1999
    second = await money.graphql(
        CREATE,
        {
            "input": {
                "paymentMethodId": method["id"],
                "purpose": "ORDER",
                "orderId": order_id,
                "idempotencyKey": key(),
            }
        },
    )
    assert error_code(second) == "CONFLICT"
    back = ok(await refund(secured.admin, created["id"], None), "refundPayment")
    assert back["refundState"] == "REFUNDED"
    assert await balance(money, wallet_id) == 5000


async def test_an_unknown_or_someone_elses_order_cannot_be_paid(secured: Secured) -> None:
    buyer_id = str(uuid.uuid4())
    money = secured.as_user(buyer_id, "user")
    method_id = await add_card(money.graphql, SUCCESS_CARD)
    unknown = await money.graphql(
        CREATE,
        {
            "input": {
                "paymentMethodId": method_id,
                "purpose": "ORDER",
                "orderId": str(uuid.uuid4()),
                "idempotencyKey": key(),
            }
        },
    )
    assert error_code(unknown) == "NOT_FOUND"
    others = await place_order(money, str(uuid.uuid4()), 100, "EUR")
    body = await money.graphql(
        CREATE,
        {
            "input": {
                "paymentMethodId": method_id,
                "purpose": "ORDER",
                "orderId": others,
                "idempotencyKey": key(),
            }
        },
    )
    assert error_code(body) == "CONFLICT"
    async with money.database.sessions() as session:
        assert await session.scalar(select(PaymentMethod.id).where(PaymentMethod.id == method_id))


ANALYTICS = """
query($input: PaymentAnalyticsInput!) {
  paymentAnalytics(input: $input) {
    day method currency count succeeded failed volume { amount currency } refunded { amount }
    successRate { numerator denominator basisPoints }
    refundRate { numerator denominator basisPoints }
  }
}
"""


async def test_analytics_count_exact_rates_for_admins_and_refuse_plain_users(
    secured: Secured,
) -> None:
    money = new_user(secured)
    wallet_id = await open_wallet(money.graphql, "GBP")
    await deposit_by_card(money.graphql, wallet_id, 1000)
    big = await deposit_by_card(money.graphql, wallet_id, 3000)
    await deposit_by_card(money.graphql, wallet_id, 500, DECLINED_CARD)
    ok(await refund(secured.admin, big["id"], 1000), "refundPayment")
    now = datetime.now(UTC)
    window = {
        "since": (now - timedelta(hours=1)).isoformat(),
        "until": (now + timedelta(hours=1)).isoformat(),
        "currency": "GBP",
    }
    rows = ok(await secured.admin.graphql(ANALYTICS, {"input": window}), "paymentAnalytics")
    assert rows == [
        {
            "day": now.date().isoformat(),
            "method": "CARD",
            "currency": "GBP",
            "count": 3,
            "succeeded": 2,
            "failed": 1,
            "volume": {"amount": 4000, "currency": "GBP"},
            "refunded": {"amount": 1000},
            "successRate": {"numerator": 2, "denominator": 3, "basisPoints": 6666},
            "refundRate": {"numerator": 1000, "denominator": 4000, "basisPoints": 2500},
        }
    ]
    assert error_code(await money.graphql(ANALYTICS, {"input": window})) == "FORBIDDEN"
    seller = new_user(secured, "seller")
    assert ok(await seller.graphql(ANALYTICS, {"input": window}), "paymentAnalytics") == []
    backwards = {**window, "since": window["until"], "until": window["since"]}
    assert error_code(await secured.admin.graphql(ANALYTICS, {"input": backwards})) == (
        "BAD_USER_INPUT"
    )


async def test_a_cancelled_order_can_no_longer_be_paid(secured: Secured) -> None:
    buyer_id = str(uuid.uuid4())
    money = secured.as_user(buyer_id, "user")
    method_id = await add_card(money.graphql)
    order_id = await place_order(money, buyer_id, 4500, "EUR")
    created = ok(
        await money.graphql(
            CREATE,
            {
                "input": {
                    "paymentMethodId": method_id,
                    "purpose": "ORDER",
                    "orderId": order_id,
                    "idempotencyKey": key(),
                }
            },
        ),
        "createPayment",
    )
    await handle_order_event(
        money.database,
        {
            "id": uuid.uuid4().hex,
            "type": "commerce.order.cancelled",
            "userId": buyer_id,
            "payload": {"orderId": order_id, "status": "CANCELLED"},
        },
    )
    void = await confirm(money.graphql, created["id"])
    assert void["status"] == "CANCELED" and void["failure"]["code"] == "order_cancelled"
    assert void["capturedTransactionId"] is None
    again = await money.graphql(
        CREATE,
        {
            "input": {
                "paymentMethodId": method_id,
                "purpose": "ORDER",
                "orderId": order_id,
                "idempotencyKey": key(),
            }
        },
    )
    assert error_code(again) == "CONFLICT"
    assert "cancelled" in again["errors"][0]["message"]
