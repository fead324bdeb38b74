"""Wallets on the ledger through the router (the six subgraphs on migrated, seeded SQLite): a
user's transfer with an idempotent retry, the receiver's view, filtered history, the CSV
statement, an administrator's freeze, and verifyLedger over the seeded and new movements."""

from __future__ import annotations

import csv
import io
import uuid

import aiohttp

from subgraphs.kernel.demo import demo_id
from tests.integration.money.payments_platform import RouterUser, admin, user
from tests.integration.platform.servers import Platform

OPEN = "mutation($c: String!) { openWallet(input: { currency: $c }) { id } }"
DEPOSIT = """
mutation($w: ID!, $k: String!) {
  depositToWallet(input: { walletId: $w, amount: 5000, idempotencyKey: $k }) { id }
}
"""
TRANSFER = """
mutation($input: TransferBetweenWalletsInput!) {
  transferBetweenWallets(input: $input) {
    id kind direction amount { amount currency }
    wallet { balance { amount } owner { id } }
    journalTransaction { sequence hash previousHash }
  }
}
"""
RECEIVED = """
query($id: ID!) { wallet(id: $id) { id balance { amount }
  transactions(filter: { direction: CREDIT }) { edges { node { kind amount { amount } } } }
  statement { rows csv closingBalance { amount } } } }
"""
FREEZE = "mutation($w: ID!) { freezeWallet(input: { walletId: $w }) { status } }"
VERIFY = "{ verifyLedger { ok checkedTransactions brokenLink { reason } } }"


async def opened_wallet(client: RouterUser) -> str:
    body = await client.graphql(OPEN, {"c": "EUR"})
    assert "errors" not in body, body
    wallet_id: str = body["data"]["openWallet"]["id"]
    return wallet_id


async def test_a_transfer_through_the_router_is_chained_idempotent_and_in_both_histories(
    platform: Platform, http: aiohttp.ClientSession
) -> None:
    sender_id, sender = user(http, platform)
    _, receiver = user(http, platform)
    source, target = await opened_wallet(sender), await opened_wallet(receiver)
    assert "errors" not in await sender.graphql(DEPOSIT, {"w": source, "k": str(uuid.uuid4())})
    transfer = {
        "fromWalletId": source,
        "toWalletId": target,
        "amount": 1234,
        "description": "Dinner, split",
        "idempotencyKey": str(uuid.uuid4()),
    }

    first = await sender.graphql(TRANSFER, {"input": transfer})
    retried = await sender.graphql(TRANSFER, {"input": transfer})
    mine = await receiver.graphql(RECEIVED, {"id": target})

    assert "errors" not in first, first
    moved = first["data"]["transferBetweenWallets"]
    assert moved["kind"] == "TRANSFER" and moved["direction"] == "DEBIT"
    assert moved["amount"] == {"amount": 1234, "currency": "EUR"}
    assert moved["wallet"] == {"balance": {"amount": 3766}, "owner": {"id": sender_id}}
    assert retried["data"]["transferBetweenWallets"]["id"] == moved["id"]
    assert (
        retried["data"]["transferBetweenWallets"]["journalTransaction"]
        == (moved["journalTransaction"])
    )
    wallet = mine["data"]["wallet"]
    assert wallet["id"] == target and wallet["balance"] == {"amount": 1234}
    assert [edge["node"] for edge in wallet["transactions"]["edges"]] == [
        {"kind": "TRANSFER", "amount": {"amount": 1234}}
    ]
    statement = wallet["statement"]
    rows = list(csv.reader(io.StringIO(statement["csv"])))
    assert statement["rows"] == 1 and statement["closingBalance"] == {"amount": 1234}
    assert rows[1][3:] == ["TRANSFER", "CREDIT", "1234", "12.34", "EUR", "1234", "Dinner, split"]


async def test_a_frozen_seeded_wallet_refuses_money_and_the_ledger_verifies(
    platform: Platform, http: aiohttp.ClientSession
) -> None:
    administrator = admin(http, platform)
    bob_usd, alice_usd = demo_id("wallet", "bob-usd"), demo_id("wallet", "alice-usd")

    frozen = await administrator.graphql(FREEZE, {"w": bob_usd})
    refused = await administrator.graphql(
        TRANSFER,
        {
            "input": {
                "fromWalletId": alice_usd,
                "toWalletId": bob_usd,
                "amount": 1,
                "idempotencyKey": str(uuid.uuid4()),
            }
        },
    )
    report = await administrator.graphql(VERIFY, {})

    assert frozen["data"]["freezeWallet"] == {"status": "FROZEN"}
    assert [error["extensions"]["code"] for error in refused["errors"]] == ["CONFLICT"]
    assert refused["errors"][0]["extensions"]["serviceName"] == "money"
    verified = report["data"]["verifyLedger"]
    assert verified["ok"] is True and verified["brokenLink"] is None, report
    assert verified["checkedTransactions"] >= 6  # the seed's deposits at least
