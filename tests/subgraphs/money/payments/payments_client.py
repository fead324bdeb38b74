"""GraphQL documents and helpers shared by the payments tests (subgraph and router level)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import orjson

from subgraphs.money.payments.signatures import SIGNATURE_HEADER, sign

GraphQL = Callable[[str, Mapping[str, Any]], Awaitable[dict[str, Any]]]

SUCCESS_CARD = "4242424242424242"
DECLINED_CARD = "4000000000000002"
CHALLENGE_CARD = "4000000000003220"
FLAKY_CARD = "4000000000000119"

PAYMENT_FIELDS = """
  id status purpose attempts refundState providerReference
  amount { amount currency } refunded { amount currency } refundable { amount currency }
  nextAction { type url } failure { code message retryable }
  capturedTransactionId refunds { amount { amount } status reason }
"""

OPEN_WALLET = """
mutation($input: OpenWalletInput!) { openWallet(input: $input) { id currency } }
"""
WALLET_BALANCE = "query($id: ID!) { wallet(id: $id) { balance { amount currency } } }"
ADD_CARD = """
mutation($input: AddCardPaymentMethodInput!) {
  addCardPaymentMethod(input: $input) { id kind brand last4 expMonth expYear }
}
"""
ADD_BANK = """
mutation($input: AddBankAccountPaymentMethodInput!) {
  addBankAccountPaymentMethod(input: $input) { id kind last4 holderName bankCode }
}
"""
ADD_WALLET_METHOD = """
mutation($input: AddWalletPaymentMethodInput!) {
  addWalletPaymentMethod(input: $input) { id kind wallet { id } }
}
"""
CREATE = f"""
mutation($input: CreatePaymentInput!) {{ createPayment(input: $input) {{ {PAYMENT_FIELDS} }} }}
"""
CONFIRM = f"""
mutation($input: ConfirmPaymentInput!) {{ confirmPayment(input: $input) {{ {PAYMENT_FIELDS} }} }}
"""
CANCEL = f"""
mutation($input: CancelPaymentInput!) {{ cancelPayment(input: $input) {{ {PAYMENT_FIELDS} }} }}
"""
REFUND = f"""
mutation($input: RefundPaymentInput!) {{ refundPayment(input: $input) {{ {PAYMENT_FIELDS} }} }}
"""
PAYMENT = f"query($id: ID!) {{ payment(id: $id) {{ {PAYMENT_FIELDS} }} }}"


def key() -> str:
    return str(uuid.uuid4())


def ok(body: dict[str, Any], field: str) -> Any:
    assert "errors" not in body, body
    return body["data"][field]


def error_code(body: dict[str, Any]) -> str:
    assert body.get("errors"), body
    code: str = body["errors"][0]["extensions"]["code"]
    return code


async def open_wallet(graphql: GraphQL, currency: str = "EUR") -> str:
    wallet_id: str = ok(
        await graphql(OPEN_WALLET, {"input": {"currency": currency}}), "openWallet"
    )["id"]
    return wallet_id


async def add_card(graphql: GraphQL, number: str = SUCCESS_CARD) -> str:
    body = await graphql(
        ADD_CARD, {"input": {"cardNumber": number, "expMonth": 12, "expYear": 2040, "cvc": "123"}}
    )
    method_id: str = ok(body, "addCardPaymentMethod")["id"]
    return method_id


async def create_deposit(graphql: GraphQL, method_id: str, wallet_id: str, amount: int) -> Any:
    return ok(
        await graphql(
            CREATE,
            {
                "input": {
                    "paymentMethodId": method_id,
                    "purpose": "DEPOSIT",
                    "walletId": wallet_id,
                    "amount": amount,
                    "idempotencyKey": key(),
                }
            },
        ),
        "createPayment",
    )


async def confirm(graphql: GraphQL, payment_id: str, challenge: str | None = None) -> Any:
    return ok(
        await graphql(
            CONFIRM,
            {
                "input": {
                    "paymentId": payment_id,
                    "challengeResponse": challenge,
                    "idempotencyKey": key(),
                }
            },
        ),
        "confirmPayment",
    )


async def deposit_by_card(
    graphql: GraphQL, wallet_id: str, amount: int, number: str = SUCCESS_CARD
) -> Any:
    method_id = await add_card(graphql, number)
    payment = await create_deposit(graphql, method_id, wallet_id, amount)
    return await confirm(graphql, payment["id"])


def signed_webhook(
    secret: bytes, event: Mapping[str, Any], *, timestamp: int | None = None
) -> tuple[bytes, dict[str, str]]:
    body = orjson.dumps(dict(event))
    moment = int(time.time()) if timestamp is None else timestamp
    return body, {SIGNATURE_HEADER: sign(secret, body, moment), "content-type": "application/json"}
