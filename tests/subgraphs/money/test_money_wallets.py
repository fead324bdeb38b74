"""money over real HTTP: opening wallets, deposits, the balance invariant and lookups."""

from __future__ import annotations

from sqlalchemy import func, select, update

from subgraphs.money.history import derived_balance
from subgraphs.money.models import Posting, Wallet, WalletStatus
from tests.subgraphs.money.money_client import (
    DEPOSIT,
    OPEN_WALLET,
    deposit,
    error_code,
    new_user_id,
    open_wallet,
)


async def count_rows(money, model) -> int:
    async with money.database.sessions() as session:
        return await session.scalar(select(func.count()).select_from(model))


async def test_open_wallet_starts_empty_and_active(money):
    owner = new_user_id()

    wallet = await open_wallet(money, owner, "EUR")

    assert wallet["owner"] == {"id": owner}
    assert wallet["currency"] == "EUR"
    assert wallet["status"] == "ACTIVE"
    assert wallet["balance"] == {"amount": 0, "currency": "EUR"}
    assert wallet["createdAt"].endswith("+00:00")


async def test_second_wallet_in_the_same_currency_is_a_conflict(money):
    owner = new_user_id()
    await open_wallet(money, owner, "USD")
    await open_wallet(money, owner, "EUR")
    before = await count_rows(money, Wallet)

    body = await money.graphql(OPEN_WALLET, {"input": {"ownerId": owner, "currency": "USD"}})

    assert error_code(body) == "CONFLICT"
    assert "USD" in body["errors"][0]["message"]
    assert await count_rows(money, Wallet) == before


async def test_unknown_currency_and_malformed_owner_are_bad_user_input(money):
    for owner, currency in [(new_user_id(), "ZZZ"), (new_user_id(), "usd"), ("alice", "USD")]:
        body = await money.graphql(OPEN_WALLET, {"input": {"ownerId": owner, "currency": currency}})
        assert error_code(body) == "BAD_USER_INPUT", (owner, currency, body)


async def test_deposits_move_the_balance_and_it_equals_the_sum_of_postings(money):
    wallet = await open_wallet(money, new_user_id(), "USD")

    first = await deposit(money, wallet["id"], 12_345, "  Salary  ")
    second = await deposit(money, wallet["id"], 655)

    assert first["kind"] == "DEPOSIT"
    assert first["description"] == "Salary"
    assert second["description"] == "Deposit"
    assert first["amount"] == {"amount": 12_345, "currency": "USD"}
    assert second["wallet"]["balance"] == {"amount": 13_000, "currency": "USD"}
    async with money.database.sessions() as session:
        stored = await session.get(Wallet, wallet["id"])
        assert stored is not None
        assert stored.balance == 13_000
        assert await derived_balance(session, account_id=wallet["id"]) == 13_000


async def test_deposit_errors_have_codes_and_write_nothing(money):
    wallet = await open_wallet(money, new_user_id(), "GBP")
    await deposit(money, wallet["id"], 1_000)
    frozen = await open_wallet(money, new_user_id(), "GBP")
    async with money.database.sessions() as session:
        await session.execute(
            update(Wallet).where(Wallet.id == frozen["id"]).values(status=WalletStatus.FROZEN)
        )
        await session.commit()
    transactions_before = await count_rows(money, Posting)

    cases = [
        ({"walletId": wallet["id"], "amount": 0}, "BAD_USER_INPUT"),
        ({"walletId": wallet["id"], "amount": -5}, "BAD_USER_INPUT"),
        ({"walletId": wallet["id"], "amount": 1, "description": "x" * 201}, "BAD_USER_INPUT"),
        ({"walletId": "not-a-uuid", "amount": 1}, "BAD_USER_INPUT"),
        ({"walletId": new_user_id(), "amount": 1}, "NOT_FOUND"),
        ({"walletId": frozen["id"], "amount": 1}, "CONFLICT"),
        ({"walletId": wallet["id"], "amount": 2**63 - 1}, "CONFLICT"),
    ]
    for given, code in cases:
        body = await money.graphql(DEPOSIT, {"input": given})
        assert error_code(body) == code, (given, body)

    assert await count_rows(money, Posting) == transactions_before
    async with money.database.sessions() as session:
        stored = await session.get(Wallet, wallet["id"])
        assert stored is not None and stored.balance == 1_000


async def test_amounts_beyond_64_bits_are_rejected_by_the_long_scalar(money):
    wallet = await open_wallet(money, new_user_id(), "CHF")

    body = await money.graphql(DEPOSIT, {"input": {"walletId": wallet["id"], "amount": 2**63}})

    assert body["errors"]
    assert body.get("data") is None


async def test_wallet_and_transaction_lookups_return_null_when_missing(money):
    wallet = await open_wallet(money, new_user_id(), "JPY")
    made = await deposit(money, wallet["id"], 500)

    body = await money.graphql(
        """
        query($w: ID!, $t: ID!, $missing: ID!) {
          wallet(id: $w) { id currency balance { amount currency } }
          transaction(id: $t) { id wallet { id } }
          noWallet: wallet(id: $missing) { id }
          noTransaction: transaction(id: $missing) { id }
        }
        """,
        {"w": wallet["id"], "t": made["id"], "missing": new_user_id()},
    )

    assert body == {
        "data": {
            "wallet": {
                "id": wallet["id"],
                "currency": "JPY",
                "balance": {"amount": 500, "currency": "JPY"},
            },
            "transaction": {"id": made["id"], "wallet": {"id": wallet["id"]}},
            "noWallet": None,
            "noTransaction": None,
        }
    }


async def test_transactions_page_newest_first_without_gaps_or_repeats(money):
    wallet = await open_wallet(money, new_user_id(), "SEK")
    made = [(await deposit(money, wallet["id"], amount))["id"] for amount in range(1, 6)]
    query = """
    query($id: ID!, $after: String) {
      wallet(id: $id) {
        transactions(first: 2, after: $after) {
          edges { cursor node { id } }
          pageInfo { hasNextPage hasPreviousPage endCursor }
        }
      }
    }
    """

    seen: list[str] = []
    after = None
    pages = 0
    while True:
        body = await money.graphql(query, {"id": wallet["id"], "after": after})
        connection = body["data"]["wallet"]["transactions"]
        seen += [edge["node"]["id"] for edge in connection["edges"]]
        pages += 1
        assert connection["pageInfo"]["hasPreviousPage"] is (after is not None)
        if not connection["pageInfo"]["hasNextPage"]:
            break
        after = connection["pageInfo"]["endCursor"]

    assert seen == list(reversed(made))
    assert pages == 3


async def test_bad_transaction_page_arguments_are_bad_user_input(money):
    wallet = await open_wallet(money, new_user_id(), "NOK")
    for arguments in ["first: 0", "first: 101", 'after: "garbage"']:
        query = (
            "query($id: ID!) { wallet(id: $id) { "
            f"transactions({arguments}) {{ edges {{ cursor }} }} }} }}"
        )
        body = await money.graphql(query, {"id": wallet["id"]})
        [error] = body["errors"]
        assert error["extensions"]["code"] == "BAD_USER_INPUT", (arguments, body)
