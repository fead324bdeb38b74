"""Wallet movements over real HTTP with real tokens: transfers, withdrawals (payouts to a bank
account: tests/subgraphs/money/payouts/ for their life), freezes, idempotency keys, filtered
history, CSV statements and verifyLedger."""

from __future__ import annotations

import asyncio
import csv
import io
import uuid
from typing import Any

from subgraphs.kernel.testing import RunningSubgraph
from tests.fixtures.tokens import Secured

OPEN = "mutation($input: OpenWalletInput!) { openWallet(input: $input) { id } }"
DEPOSIT = """
mutation($input: DepositToWalletInput!) { depositToWallet(input: $input) { id } }
"""
MOVED = """
id kind direction description amount { amount currency } signedAmount { amount }
wallet { id balance { amount } }
journalTransaction { id sequence kind hash previousHash }
"""
TRANSFER = f"""
mutation($input: TransferBetweenWalletsInput!) {{
  transferBetweenWallets(input: $input) {{ {MOVED} }}
}}
"""
WITHDRAW = f"""
mutation($input: WithdrawFromWalletInput!) {{
  withdrawFromWallet(input: $input) {{ id status transaction {{ {MOVED} }} }}
}}
"""
ADD_BANK = """
mutation($input: AddBankAccountPaymentMethodInput!) {
  addBankAccountPaymentMethod(input: $input) { id }
}
"""
FREEZE = "mutation($id: ID!) { freezeWallet(input: { walletId: $id }) { id status } }"
UNFREEZE = "mutation($id: ID!) { unfreezeWallet(input: { walletId: $id }) { id status } }"
BALANCE = "query($id: ID!) { wallet(id: $id) { balance { amount } status } }"
HISTORY = """
query($id: ID!, $first: Int, $after: String, $filter: TransactionFilter) {
  wallet(id: $id) {
    transactions(first: $first, after: $after, filter: $filter) {
      edges { node { id kind direction amount { amount } createdAt } }
      pageInfo { hasNextPage endCursor }
    }
  }
}
"""
STATEMENT = """
query($id: ID!, $since: DateTime, $until: DateTime) {
  wallet(id: $id) { statement(since: $since, until: $until) {
    rows csv openingBalance { amount currency } closingBalance { amount } } }
}
"""
VERIFY = """
{ verifyLedger { ok checkedTransactions brokenLink { sequence reason }
  balanceMismatches { accountId } unbalancedCurrencies { amount } } }
"""


def codes(body: dict[str, Any]) -> list[str]:
    return [error["extensions"]["code"] for error in body.get("errors", [])]


def key() -> str:
    return str(uuid.uuid4())


async def funded_wallet(
    secured: Secured, amount: int, currency: str = "EUR"
) -> tuple[str, RunningSubgraph]:
    """A new user's wallet holding `amount`, and that user's client."""
    owner = secured.as_user(str(uuid.uuid4()))
    opened = await owner.graphql(OPEN, {"input": {"currency": currency}})
    wallet_id: str = opened["data"]["openWallet"]["id"]
    if amount:
        body = await owner.graphql(DEPOSIT, {"input": {"walletId": wallet_id, "amount": amount}})
        assert "errors" not in body, body
    return wallet_id, owner


async def bank_account(owner: RunningSubgraph) -> str:
    """A new bank-account payment method of `owner` (a payout destination the sandbox accepts)."""
    body = await owner.graphql(
        ADD_BANK,
        {
            "input": {
                "holderName": "Ada",
                "accountNumber": "DE89370400440532013000",
                "bankCode": "COBADEFF",
            }
        },
    )
    assert "errors" not in body, body
    method_id: str = body["data"]["addBankAccountPaymentMethod"]["id"]
    return method_id


async def balance(secured: Secured, wallet_id: str) -> int:
    body = await secured.admin.graphql(BALANCE, {"id": wallet_id})
    amount: int = body["data"]["wallet"]["balance"]["amount"]
    return amount


async def test_a_transfer_moves_money_between_two_wallets_in_one_chained_transaction(
    secured: Secured,
):
    source, owner = await funded_wallet(secured, 1_000)
    target, _ = await funded_wallet(secured, 0)

    body = await owner.graphql(
        TRANSFER,
        {
            "input": {
                "fromWalletId": source,
                "toWalletId": target,
                "amount": 300,
                "description": "Rent",
                "idempotencyKey": key(),
            }
        },
    )

    assert "errors" not in body, body
    moved = body["data"]["transferBetweenWallets"]
    assert moved["kind"] == "TRANSFER" and moved["direction"] == "DEBIT"
    assert moved["amount"] == {"amount": 300, "currency": "EUR"}
    assert moved["signedAmount"] == {"amount": -300}
    assert moved["description"] == "Rent"
    assert moved["wallet"] == {"id": source, "balance": {"amount": 700}}
    journal = moved["journalTransaction"]
    assert journal["kind"] == "TRANSFER" and len(journal["hash"]) == 64
    assert journal["previousHash"] != journal["hash"]
    assert await balance(secured, target) == 300


async def test_a_transfer_never_overdraws_and_writes_nothing_when_refused(secured: Secured):
    source, owner = await funded_wallet(secured, 500)
    target, _ = await funded_wallet(secured, 0)
    other_currency, _ = await funded_wallet(secured, 0, "USD")
    frozen, _ = await funded_wallet(secured, 0)
    await secured.admin.graphql(FREEZE, {"id": frozen})

    cases = [
        ({"toWalletId": target, "amount": 501}, "CONFLICT"),
        ({"toWalletId": target, "amount": 0}, "BAD_USER_INPUT"),
        ({"toWalletId": source, "amount": 1}, "BAD_USER_INPUT"),
        ({"toWalletId": other_currency, "amount": 1}, "BAD_USER_INPUT"),
        ({"toWalletId": frozen, "amount": 1}, "CONFLICT"),
        ({"toWalletId": str(uuid.uuid4()), "amount": 1}, "NOT_FOUND"),
        ({"toWalletId": target, "amount": 1, "idempotencyKey": ""}, "BAD_USER_INPUT"),
    ]
    for given, code in cases:
        variables = {"input": {"fromWalletId": source, "idempotencyKey": key(), **given}}
        body = await owner.graphql(TRANSFER, variables)
        assert codes(body) == [code], (given, body)

    assert await balance(secured, source) == 500
    assert await balance(secured, target) == 0


async def test_only_the_owner_or_an_admin_moves_money_out_of_a_wallet(secured: Secured):
    source, _ = await funded_wallet(secured, 100)
    target, receiver = await funded_wallet(secured, 0)
    transfer = {"fromWalletId": source, "toWalletId": target, "amount": 10}

    stolen = await receiver.graphql(TRANSFER, {"input": {**transfer, "idempotencyKey": key()}})
    withdrawn = await receiver.graphql(
        WITHDRAW,
        {
            "input": {
                "walletId": source,
                "paymentMethodId": await bank_account(receiver),
                "amount": 10,
                "idempotencyKey": key(),
            }
        },
    )
    anonymous = await secured.anonymous.graphql(
        TRANSFER, {"input": {**transfer, "idempotencyKey": key()}}
    )
    by_admin = await secured.admin.graphql(
        TRANSFER, {"input": {**transfer, "idempotencyKey": key()}}
    )

    assert codes(stolen) == ["FORBIDDEN"] and codes(withdrawn) == ["FORBIDDEN"]
    assert codes(anonymous) == ["UNAUTHENTICATED"]
    assert "errors" not in by_admin, by_admin
    assert await balance(secured, source) == 90


async def test_withdrawals_take_money_out_but_never_below_zero(secured: Secured):
    wallet, owner = await funded_wallet(secured, 800)
    method = await bank_account(owner)
    withdrawal = {"walletId": wallet, "paymentMethodId": method}

    taken = await owner.graphql(
        WITHDRAW, {"input": {**withdrawal, "amount": 800, "idempotencyKey": key()}}
    )
    refused = await owner.graphql(
        WITHDRAW, {"input": {**withdrawal, "amount": 1, "idempotencyKey": key()}}
    )

    assert "errors" not in taken, taken
    assert taken["data"]["withdrawFromWallet"]["status"] == "IN_TRANSIT"
    assert taken["data"]["withdrawFromWallet"]["transaction"]["kind"] == "WITHDRAWAL"
    assert taken["data"]["withdrawFromWallet"]["transaction"]["wallet"]["balance"] == {"amount": 0}
    assert codes(refused) == ["CONFLICT"]
    assert refused["errors"][0]["extensions"]["reason"] == "INSUFFICIENT_FUNDS"
    assert "minimum balance" in refused["errors"][0]["message"]


async def test_a_retry_with_the_same_key_returns_the_first_result_and_moves_nothing(
    secured: Secured,
):
    source, owner = await funded_wallet(secured, 1_000)
    target, _ = await funded_wallet(secured, 0)
    transfer = {
        "fromWalletId": source,
        "toWalletId": target,
        "amount": 250,
        "idempotencyKey": key(),
    }

    first = await owner.graphql(TRANSFER, {"input": transfer})
    again = await owner.graphql(TRANSFER, {"input": transfer})
    changed = await owner.graphql(TRANSFER, {"input": {**transfer, "amount": 251}})
    other_operation = await owner.graphql(
        WITHDRAW,
        {
            "input": {
                "walletId": source,
                "paymentMethodId": await bank_account(owner),
                "amount": 250,
                "idempotencyKey": transfer["idempotencyKey"],
            }
        },
    )

    assert "errors" not in first, first
    assert (
        again["data"]["transferBetweenWallets"]["id"]
        == (first["data"]["transferBetweenWallets"]["id"])
    )
    assert (
        again["data"]["transferBetweenWallets"]["journalTransaction"]
        == (first["data"]["transferBetweenWallets"]["journalTransaction"])
    )
    assert codes(changed) == ["CONFLICT"] and codes(other_operation) == ["CONFLICT"]
    assert "already used for a different request" in changed["errors"][0]["message"]
    assert await balance(secured, source) == 750
    assert await balance(secured, target) == 250


async def test_idempotency_keys_belong_to_the_user_who_sent_them(secured: Secured):
    first_wallet, first_owner = await funded_wallet(secured, 100)
    second_wallet, second_owner = await funded_wallet(secured, 100)
    shared = key()

    one = await first_owner.graphql(
        WITHDRAW,
        {
            "input": {
                "walletId": first_wallet,
                "paymentMethodId": await bank_account(first_owner),
                "amount": 10,
                "idempotencyKey": shared,
            }
        },
    )
    two = await second_owner.graphql(
        WITHDRAW,
        {
            "input": {
                "walletId": second_wallet,
                "paymentMethodId": await bank_account(second_owner),
                "amount": 20,
                "idempotencyKey": shared,
            }
        },
    )

    assert "errors" not in one and "errors" not in two, (one, two)
    assert await balance(secured, first_wallet) == 90
    assert await balance(secured, second_wallet) == 80


async def test_a_deposit_with_a_key_happens_once(secured: Secured):
    wallet, owner = await funded_wallet(secured, 0)
    deposit = {"walletId": wallet, "amount": 40, "idempotencyKey": key()}

    first = await owner.graphql(DEPOSIT, {"input": deposit})
    second = await owner.graphql(DEPOSIT, {"input": deposit})

    assert first["data"] == second["data"]
    assert await balance(secured, wallet) == 40


async def test_admins_freeze_and_unfreeze_wallets_and_frozen_wallets_move_nothing(
    secured: Secured,
):
    wallet, owner = await funded_wallet(secured, 100)
    target, _ = await funded_wallet(secured, 0)

    by_owner = await owner.graphql(FREEZE, {"id": wallet})
    frozen = await secured.admin.graphql(FREEZE, {"id": wallet})
    twice = await secured.admin.graphql(FREEZE, {"id": wallet})
    out = await owner.graphql(
        TRANSFER,
        {
            "input": {
                "fromWalletId": wallet,
                "toWalletId": target,
                "amount": 1,
                "idempotencyKey": key(),
            }
        },
    )
    into = await owner.graphql(DEPOSIT, {"input": {"walletId": wallet, "amount": 1}})
    unfrozen = await secured.admin.graphql(UNFREEZE, {"id": wallet})

    assert codes(by_owner) == ["FORBIDDEN"]
    assert frozen["data"]["freezeWallet"] == {"id": wallet, "status": "FROZEN"}
    assert codes(twice) == ["CONFLICT"]
    assert codes(out) == ["CONFLICT"] and codes(into) == ["CONFLICT"]
    assert "FROZEN" in out["errors"][0]["message"]
    assert unfrozen["data"]["unfreezeWallet"] == {"id": wallet, "status": "ACTIVE"}
    assert await balance(secured, wallet) == 100


async def test_history_filters_by_kind_direction_and_date_and_pages_with_cursors(
    secured: Secured,
):
    wallet, owner = await funded_wallet(secured, 1_000)
    target, _ = await funded_wallet(secured, 0)
    for amount in (10, 20, 30):
        transfer = {"fromWalletId": wallet, "toWalletId": target, "amount": amount}
        await owner.graphql(TRANSFER, {"input": {**transfer, "idempotencyKey": key()}})
    withdrawn = await owner.graphql(
        WITHDRAW,
        {
            "input": {
                "walletId": wallet,
                "paymentMethodId": await bank_account(owner),
                "amount": 5,
                "idempotencyKey": key(),
            }
        },
    )
    assert "errors" not in withdrawn, withdrawn

    async def history(**variables: Any) -> list[dict[str, Any]]:
        body = await owner.graphql(HISTORY, {"id": wallet, **variables})
        assert "errors" not in body, body
        return [edge["node"] for edge in body["data"]["wallet"]["transactions"]["edges"]]

    everything = await history()
    transfers = await history(filter={"kinds": ["TRANSFER"]})
    credits = await history(filter={"direction": "CREDIT"})
    last_two = await history(filter={"since": everything[1]["createdAt"]})
    before = await history(filter={"until": everything[-1]["createdAt"]})
    first_page = await owner.graphql(HISTORY, {"id": wallet, "first": 2})
    cursor = first_page["data"]["wallet"]["transactions"]["pageInfo"]["endCursor"]
    second_page = await history(first=2, after=cursor)

    assert [node["kind"] for node in everything] == [
        "WITHDRAWAL",
        "TRANSFER",
        "TRANSFER",
        "TRANSFER",
        "DEPOSIT",
    ]
    assert [node["amount"]["amount"] for node in transfers] == [30, 20, 10]
    assert [node["kind"] for node in credits] == ["DEPOSIT"]
    assert [node["id"] for node in last_two] == [node["id"] for node in everything[:2]]
    assert before == []
    assert [node["id"] for node in second_page] == [node["id"] for node in everything[2:4]]
    backwards = await owner.graphql(
        HISTORY,
        {
            "id": wallet,
            "filter": {"since": everything[0]["createdAt"], "until": everything[-1]["createdAt"]},
        },
    )
    assert codes(backwards) == ["BAD_USER_INPUT"]


async def test_a_statement_is_csv_with_running_balances(secured: Secured):
    wallet, owner = await funded_wallet(secured, 1_000)
    target, _ = await funded_wallet(secured, 0)
    await owner.graphql(
        TRANSFER,
        {
            "input": {
                "fromWalletId": wallet,
                "toWalletId": target,
                "amount": 250,
                "description": "=HYPERLINK(1)",
                "idempotencyKey": key(),
            }
        },
    )

    body = await owner.graphql(STATEMENT, {"id": wallet})
    stranger = await secured.as_user(str(uuid.uuid4())).graphql(STATEMENT, {"id": wallet})

    statement = body["data"]["wallet"]["statement"]
    rows = list(csv.reader(io.StringIO(statement["csv"])))
    assert statement["csv"].endswith("\r\n")
    assert rows[0] == [
        "date",
        "transaction_id",
        "sequence",
        "kind",
        "direction",
        "amount_minor",
        "amount",
        "currency",
        "balance_after_minor",
        "description",
    ]
    assert [row[3:] for row in rows[1:]] == [
        ["DEPOSIT", "CREDIT", "1000", "10.00", "EUR", "1000", "Deposit"],
        ["TRANSFER", "DEBIT", "-250", "-2.50", "EUR", "750", "'=HYPERLINK(1)"],
    ]
    assert statement["rows"] == 2
    assert statement["openingBalance"] == {"amount": 0, "currency": "EUR"}
    assert statement["closingBalance"] == {"amount": 750}
    assert codes(stranger) == ["FORBIDDEN"]
    since = rows[2][0]
    later = await owner.graphql(STATEMENT, {"id": wallet, "since": since})
    assert later["data"]["wallet"]["statement"]["openingBalance"]["amount"] == 1_000
    assert later["data"]["wallet"]["statement"]["rows"] == 1


async def test_verify_ledger_is_for_admins_and_finds_everything_in_order(secured: Secured):
    await funded_wallet(secured, 123)

    report = await secured.admin.graphql(VERIFY)
    refused = await secured.as_user(str(uuid.uuid4())).graphql(VERIFY)

    assert report["data"]["verifyLedger"]["ok"] is True, report
    assert report["data"]["verifyLedger"]["checkedTransactions"] >= 1
    assert report["data"]["verifyLedger"]["brokenLink"] is None
    assert codes(refused) == ["FORBIDDEN"]


async def test_concurrent_transfers_on_sqlite_never_overdraw(secured: Secured):
    source, _ = await funded_wallet(secured, 1_000)
    target, _ = await funded_wallet(secured, 0)
    transfer = {"fromWalletId": source, "toWalletId": target, "amount": 100}

    # By an administrator: fraud screening (docs/money.md) holds a user's burst of transfers.
    replies = await asyncio.gather(
        *(
            secured.admin.graphql(TRANSFER, {"input": {**transfer, "idempotencyKey": key()}})
            for _ in range(20)
        )
    )

    outcomes = sorted(codes(reply)[0] if "errors" in reply else "OK" for reply in replies)
    assert outcomes == ["CONFLICT"] * 10 + ["OK"] * 10
    assert await balance(secured, source) == 0
    assert await balance(secured, target) == 1_000
    report = await secured.admin.graphql(VERIFY)
    assert report["data"]["verifyLedger"]["ok"] is True, report


async def test_journal_postings_are_for_admins_and_system_postings_are_no_transactions(
    secured: Secured,
):
    wallet, owner = await funded_wallet(secured, 0)
    body = await owner.graphql(DEPOSIT, {"input": {"walletId": wallet, "amount": 70}})
    posting = body["data"]["depositToWallet"]["id"]
    query = """
    query($id: ID!) { transaction(id: $id) { journalTransaction { sequence postings {
      accountId amount { amount currency } } } } }
    """

    as_owner = await owner.graphql(query, {"id": posting})
    as_admin = await secured.admin.graphql(query, {"id": posting})

    assert codes(as_owner) == ["FORBIDDEN"]
    postings = as_admin["data"]["transaction"]["journalTransaction"]["postings"]
    assert [p["amount"] for p in postings] == [
        {"amount": -70, "currency": "EUR"},
        {"amount": 70, "currency": "EUR"},
    ]
    funding = postings[0]["accountId"]
    assert postings[1]["accountId"] == wallet
    entity = await secured.admin.graphql(
        "query($id: ID!) { transaction(id: $id) { id } wallet(id: $id) { id } }", {"id": funding}
    )
    assert entity["data"] == {"transaction": None, "wallet": None}
