"""Withdrawals as payouts through the router against the six real subgraphs (SQLite): a payout
to the user's bank account goes IN_TRANSIT and the provider's signed `payout.paid` settles it
(balances and verifyLedger agree); `payout.failed` returns the money; redelivered webhooks,
retries with the same key and forged signatures change nothing; more than the balance is
refused with a clear code; a high payout to a new bank account is held for review; a provider
that did not answer leaves the payout PENDING until retryPayout. A paid and a failed payout each
become the owner's notification in support (money outbox -> bus -> support)."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import aiohttp

from subgraphs.money.fraud.settings import FraudSettings
from subgraphs.money.payments.sandbox import PAYOUT_NETWORK_FLAKY
from tests.integration.money.payments_platform import (
    RouterUser,
    admin,
    user,
    webhook_secret,
    webhook_url,
)
from tests.integration.platform.servers import Platform
from tests.subgraphs.money.payments.payments_client import (
    ADD_BANK,
    WALLET_BALANCE,
    error_code,
    key,
    ok,
    open_wallet,
    signed_webhook,
)

HIGH = FraudSettings().high_amount
PAYOUT_FIELDS = """
  id status amount { amount currency } description attempts providerReference
  bankAccount { paymentMethodId last4 } failure { code message retryable }
  wallet { id balance { amount } } owner { id }
  transaction { kind signedAmount { amount } }
  reversalTransaction { kind signedAmount { amount } }
"""
WITHDRAW = f"""
mutation($input: WithdrawFromWalletInput!) {{
  withdrawFromWallet(input: $input) {{ {PAYOUT_FIELDS} }}
}}
"""
RETRY = f"""
mutation($input: RetryPayoutInput!) {{ retryPayout(input: $input) {{ {PAYOUT_FIELDS} }} }}
"""
PAYOUT = f"query($id: ID!) {{ payout(id: $id) {{ {PAYOUT_FIELDS} }} }}"
PAYOUTS = """
query($status: PayoutStatus) {
  payouts(status: $status) { edges { node { id status amount { amount } } } }
}
"""
DEPOSIT = """
mutation($input: DepositToWalletInput!) { depositToWallet(input: $input) { id } }
"""
VERIFY = "{ verifyLedger { ok checkedTransactions balanceMismatches { accountId } } }"
NOTIFICATIONS = "{ notifications { edges { node { title body link category } } } }"
APPROVE = """
mutation($input: ReviewHeldMovementInput!) {
  approveHeldMovement(input: $input) { id reviewStatus resultId }
}
"""


async def balance(client: RouterUser, wallet_id: str) -> int:
    wallet = ok(await client.graphql(WALLET_BALANCE, {"id": wallet_id}), "wallet")
    amount: int = wallet["balance"]["amount"]
    return amount


async def funded(
    http: aiohttp.ClientSession, platform: Platform, amount: int, account: str | None = None
) -> tuple[RouterUser, str, str]:
    """A new user with `amount` EUR in a wallet and a bank account: (client, wallet, method)."""
    _, client = user(http, platform)
    wallet_id = await open_wallet(client.graphql, "EUR")
    ok(
        await client.graphql(DEPOSIT, {"input": {"walletId": wallet_id, "amount": amount}}),
        "depositToWallet",
    )
    method = ok(
        await client.graphql(
            ADD_BANK,
            {
                "input": {
                    "holderName": "Grace Hopper",
                    "accountNumber": account or "NL91ABNA0417164300",
                    "bankCode": "ABNANL2A",
                }
            },
        ),
        "addBankAccountPaymentMethod",
    )
    return client, wallet_id, method["id"]


async def notification(client: RouterUser, title: str) -> dict[str, Any]:
    """The owner's notification titled `title`, once support has made it from money's event."""
    async with asyncio.timeout(10):
        while True:
            listed = ok(await client.graphql(NOTIFICATIONS, {}), "notifications")
            for edge in listed["edges"]:
                if edge["node"]["title"] == title:
                    node: dict[str, Any] = edge["node"]
                    return node
            await asyncio.sleep(0.05)


def withdrawal(wallet_id: str, method_id: str, amount: int, **extra: Any) -> dict[str, Any]:
    return {
        "input": {
            "walletId": wallet_id,
            "paymentMethodId": method_id,
            "amount": amount,
            "idempotencyKey": key(),
            **extra,
        }
    }


def payout_event(kind: str, reference: str, **data: str) -> dict[str, Any]:
    return {"id": f"evt_{uuid.uuid4().hex}", "type": kind, "data": {"reference": reference, **data}}


async def deliver(
    http: aiohttp.ClientSession, platform: Platform, body: bytes, headers: dict[str, str]
) -> tuple[int, dict[str, Any]]:
    async with http.post(webhook_url(platform), data=body, headers=headers) as response:
        return response.status, await response.json()


async def test_a_payout_is_paid_end_to_end_and_the_ledger_agrees(
    platform: Platform, http: aiohttp.ClientSession
) -> None:
    owner, wallet_id, method_id = await funded(http, platform, 5_000)

    payout = ok(
        await owner.graphql(WITHDRAW, withdrawal(wallet_id, method_id, 1_200, description="Rent")),
        "withdrawFromWallet",
    )
    assert payout["status"] == "IN_TRANSIT" and payout["failure"] is None
    assert payout["amount"] == {"amount": 1_200, "currency": "EUR"}
    assert payout["bankAccount"] == {"paymentMethodId": method_id, "last4": "4300"}
    assert payout["transaction"] == {"kind": "WITHDRAWAL", "signedAmount": {"amount": -1_200}}
    assert payout["description"] == "Rent" and payout["wallet"]["balance"]["amount"] == 3_800

    event = payout_event("payout.paid", payout["providerReference"])
    body, headers = signed_webhook(webhook_secret(platform), event)
    status, answer = await deliver(http, platform, body, headers)
    assert status == 200 and answer["duplicate"] is False, answer
    status, replay = await deliver(http, platform, body, headers)
    assert status == 200 and replay["duplicate"] is True

    paid = ok(await owner.graphql(PAYOUT, {"id": payout["id"]}), "payout")
    assert paid["status"] == "PAID" and paid["reversalTransaction"] is None
    assert await balance(owner, wallet_id) == 3_800
    listed = ok(await owner.graphql(PAYOUTS, {"status": "PAID"}), "payouts")
    assert [edge["node"]["id"] for edge in listed["edges"]] == [payout["id"]]

    administrator = admin(http, platform)
    assert ok(await administrator.graphql(PAYOUT, {"id": payout["id"]}), "payout")["id"]
    _, stranger = user(http, platform)
    assert error_code(await stranger.graphql(PAYOUT, {"id": payout["id"]})) == "FORBIDDEN"
    verified = ok(await administrator.graphql(VERIFY, {}), "verifyLedger")
    assert verified["ok"] is True and verified["balanceMismatches"] == []
    assert await notification(owner, "Withdrawal paid") == {
        "title": "Withdrawal paid",
        "body": "12.00 EUR was paid out to your bank account.",
        "link": f"/payouts/{payout['id']}",
        "category": "PAYMENTS",
    }


async def test_a_failed_payout_returns_the_money_once(
    platform: Platform, http: aiohttp.ClientSession
) -> None:
    owner, wallet_id, method_id = await funded(http, platform, 2_000)
    payout = ok(
        await owner.graphql(WITHDRAW, withdrawal(wallet_id, method_id, 2_000)),
        "withdrawFromWallet",
    )
    assert await balance(owner, wallet_id) == 0
    secret = webhook_secret(platform)

    failed_event = payout_event(
        "payout.failed",
        payout["providerReference"],
        failureCode="account_closed",
        failureMessage="The bank account is closed.",
    )
    status, _ = await deliver(http, platform, *signed_webhook(secret, failed_event))
    assert status == 200
    late = payout_event("payout.paid", payout["providerReference"])  # another event id
    status, answer = await deliver(http, platform, *signed_webhook(secret, late))
    assert status == 200 and "already FAILED" in answer["outcome"]

    failed = ok(await owner.graphql(PAYOUT, {"id": payout["id"]}), "payout")
    assert failed["status"] == "FAILED"
    assert failed["failure"] == {
        "code": "account_closed",
        "message": "The bank account is closed.",
        "retryable": False,
    }
    assert failed["reversalTransaction"] == {
        "kind": "PAYOUT_REVERSAL",
        "signedAmount": {"amount": 2_000},
    }
    assert await balance(owner, wallet_id) == 2_000
    assert await notification(owner, "Withdrawal failed") == {
        "title": "Withdrawal failed",
        "body": "Your withdrawal of 20.00 EUR did not reach your bank account, so the money went "
        "back to your wallet: The bank account is closed.",
        "link": f"/payouts/{payout['id']}",
        "category": "PAYMENTS",
    }


async def test_retries_forged_webhooks_and_overdrafts_change_nothing(
    platform: Platform, http: aiohttp.ClientSession
) -> None:
    owner, wallet_id, method_id = await funded(http, platform, 1_000)
    request = withdrawal(wallet_id, method_id, 600)

    first = ok(await owner.graphql(WITHDRAW, request), "withdrawFromWallet")
    again = ok(await owner.graphql(WITHDRAW, request), "withdrawFromWallet")
    changed = await owner.graphql(WITHDRAW, {"input": {**request["input"], "amount": 601}})
    overdraft = await owner.graphql(WITHDRAW, withdrawal(wallet_id, method_id, 401))

    assert again["id"] == first["id"]
    assert error_code(changed) == "CONFLICT"
    assert "already used for a different request" in changed["errors"][0]["message"]
    assert error_code(overdraft) == "CONFLICT"
    assert overdraft["errors"][0]["extensions"]["reason"] == "INSUFFICIENT_FUNDS"
    assert overdraft["errors"][0]["extensions"]["field"] == "amount"
    assert await balance(owner, wallet_id) == 400

    event = payout_event("payout.paid", first["providerReference"])
    forged = signed_webhook(b"someone-else-s-secret-value", event)
    status, answer = await deliver(http, platform, *forged)
    assert status == 400 and "does not match" in answer["error"]
    unchanged = ok(await owner.graphql(PAYOUT, {"id": first["id"]}), "payout")
    assert unchanged["status"] == "IN_TRANSIT"


async def test_a_high_payout_to_a_new_bank_account_is_held_for_review(
    platform: Platform, http: aiohttp.ClientSession
) -> None:
    owner, wallet_id, method_id = await funded(http, platform, HIGH)
    request = withdrawal(wallet_id, method_id, HIGH)

    held = await owner.graphql(WITHDRAW, request)

    assert error_code(held) == "MOVEMENT_HELD"
    decision_id = held["errors"][0]["extensions"]["decisionId"]
    assert await balance(owner, wallet_id) == HIGH
    assert ok(await owner.graphql(PAYOUTS, {}), "payouts")["edges"] == []

    approved = ok(
        await admin(http, platform).graphql(APPROVE, {"input": {"decisionId": decision_id}}),
        "approveHeldMovement",
    )
    replayed = ok(await owner.graphql(WITHDRAW, request), "withdrawFromWallet")

    assert approved["reviewStatus"] == "APPROVED" and approved["resultId"] == replayed["id"]
    assert replayed["status"] == "IN_TRANSIT"
    assert await balance(owner, wallet_id) == 0


async def test_an_unanswered_payout_waits_pending_until_retried(
    platform: Platform, http: aiohttp.ClientSession
) -> None:
    owner, wallet_id, method_id = await funded(http, platform, 900, PAYOUT_NETWORK_FLAKY)

    waiting = ok(
        await owner.graphql(WITHDRAW, withdrawal(wallet_id, method_id, 500)),
        "withdrawFromWallet",
    )
    assert waiting["status"] == "PENDING" and waiting["providerReference"] is None
    assert waiting["failure"]["code"] == "provider_unavailable"
    assert waiting["failure"]["retryable"] is True
    assert await balance(owner, wallet_id) == 400

    retried = ok(
        await owner.graphql(RETRY, {"input": {"payoutId": waiting["id"], "idempotencyKey": key()}}),
        "retryPayout",
    )
    assert retried["status"] == "IN_TRANSIT" and retried["attempts"] == 2
    assert retried["failure"] is None
