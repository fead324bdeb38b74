"""money's federation surface: `_entities` for Wallet, Transaction and the User extension
(one SELECT for N references) and the SDL keys."""

from __future__ import annotations

from subgraphs.kernel.testing import count_statements, selects
from tests.subgraphs.money.money_client import deposit, new_user_id, open_wallet

ENTITIES = "query($r: [_Any!]!) { _entities(representations: $r) { __typename %s } }"


async def test_many_wallet_references_cost_one_select(money):
    wallets = [await open_wallet(money, new_user_id()) for _ in range(5)]
    representations = [{"__typename": "Wallet", "id": wallet["id"]} for wallet in wallets]
    representations.append({"__typename": "Wallet", "id": new_user_id()})

    with count_statements(money.engine) as statements:
        body = await money.graphql(
            ENTITIES % "... on Wallet { id currency balance { amount } }", {"r": representations}
        )

    assert "errors" not in body, body
    entities = body["data"]["_entities"]
    assert [entity["id"] for entity in entities[:-1]] == [wallet["id"] for wallet in wallets]
    assert entities[-1] is None
    assert len(selects(statements)) == 1, statements


async def test_many_transaction_references_cost_one_select(money):
    wallet = await open_wallet(money, new_user_id())
    made = [(await deposit(money, wallet["id"], amount))["id"] for amount in (100, 200, 300)]
    representations = [{"__typename": "Transaction", "id": tid} for tid in made]

    with count_statements(money.engine) as statements:
        body = await money.graphql(
            ENTITIES % "... on Transaction { id kind amount { amount currency } }",
            {"r": representations},
        )

    assert "errors" not in body, body
    assert [entity["amount"]["amount"] for entity in body["data"]["_entities"]] == [100, 200, 300]
    assert len(selects(statements)) == 1, statements


async def test_wallets_of_many_users_cost_one_select(money):
    owners = [new_user_id() for _ in range(4)]
    for owner in owners[:3]:
        await open_wallet(money, owner, "USD")
        await open_wallet(money, owner, "EUR")
    representations = [{"__typename": "User", "id": owner} for owner in owners]

    with count_statements(money.engine) as statements:
        body = await money.graphql(
            ENTITIES % "... on User { id wallets { currency owner { id } } }",
            {"r": representations},
        )

    assert "errors" not in body, body
    users = body["data"]["_entities"]
    assert [user["id"] for user in users] == owners
    assert [[w["currency"] for w in user["wallets"]] for user in users] == [
        ["USD", "EUR"],
        ["USD", "EUR"],
        ["USD", "EUR"],
        [],
    ]
    assert users[0]["wallets"][0]["owner"] == {"id": owners[0]}
    assert len(selects(statements)) == 1, statements


async def test_service_sdl_declares_the_keys_money_owns_and_extends(money):
    body = await money.graphql("{ _service { sdl } }")
    sdl = body["data"]["_service"]["sdl"]

    assert 'type Wallet @key(fields: "id")' in sdl
    assert 'type Transaction @key(fields: "id")' in sdl
    assert 'type User @key(fields: "id")' in sdl
    assert "wallets: [Wallet!] @authenticated" in sdl
    assert "https://specs.apollo.dev/federation/v2.7" in sdl


async def test_transactions_of_many_wallets_cost_one_select(money):
    wallets = [await open_wallet(money, new_user_id()) for _ in range(4)]
    made: dict[str, list[str]] = {wallet["id"]: [] for wallet in wallets}
    for wallet in wallets[:3]:
        for amount in (100, 200, 300):
            made[wallet["id"]].append((await deposit(money, wallet["id"], amount))["id"])
    representations = [{"__typename": "Wallet", "id": wallet["id"]} for wallet in wallets]

    with count_statements(money.engine) as statements:
        body = await money.graphql(
            ENTITIES % "... on Wallet { id transactions(first: 2) { edges { node { id } } "
            "pageInfo { hasNextPage } } }",
            {"r": representations},
        )

    assert "errors" not in body, body
    for wallet, entity in zip(wallets, body["data"]["_entities"], strict=True):
        edges = entity["transactions"]["edges"]
        assert [edge["node"]["id"] for edge in edges] == list(reversed(made[wallet["id"]]))[:2]
        assert entity["transactions"]["pageInfo"]["hasNextPage"] is bool(made[wallet["id"]])
    assert len(selects(statements)) == 2, statements  # the wallets, then every page at once
