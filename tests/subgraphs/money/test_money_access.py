"""money enforces ownership itself (issue 4), called directly with real tokens: anonymous is
UNAUTHENTICATED, another user is FORBIDDEN, the owner and administrators get the data."""

from __future__ import annotations

import uuid
from typing import Any

from tests.fixtures.tokens import Secured

OPEN = "mutation($input: OpenWalletInput!) { openWallet(input: $input) { id owner { id } } }"
DEPOSIT = """
mutation($input: DepositToWalletInput!) {
  depositToWallet(input: $input) { id wallet { balance { amount } } }
}
"""
WALLET = "query($id: ID!) { wallet(id: $id) { id balance { amount } } }"
TRANSACTION = "query($id: ID!) { transaction(id: $id) { id amount { amount } } }"
ENTITIES = """
query($representations: [_Any!]!) {
  _entities(representations: $representations) {
    ... on Wallet { id }
    ... on Transaction { id }
    ... on User { wallets { id } }
  }
}
"""


def codes(body: dict[str, Any]) -> list[str]:
    return [error["extensions"]["code"] for error in body.get("errors", [])]


async def wallet_with_deposit(secured: Secured, owner: str) -> tuple[str, str]:
    as_owner = secured.as_user(owner)
    opened = await as_owner.graphql(OPEN, {"input": {"currency": "EUR"}})
    assert "errors" not in opened, opened
    wallet_id = opened["data"]["openWallet"]["id"]
    body = await as_owner.graphql(DEPOSIT, {"input": {"walletId": wallet_id, "amount": 500}})
    assert "errors" not in body, body
    return wallet_id, body["data"]["depositToWallet"]["id"]


async def test_open_wallet_belongs_to_the_signed_in_user_not_to_an_input(secured: Secured):
    owner = str(uuid.uuid4())

    body = await secured.as_user(owner).graphql(OPEN, {"input": {"currency": "USD"}})

    assert body["data"]["openWallet"]["owner"] == {"id": owner}


async def test_anonymous_callers_are_unauthenticated_before_anything_is_looked_up(
    secured: Secured,
):
    wallet_id, transaction_id = await wallet_with_deposit(secured, str(uuid.uuid4()))
    anonymous = secured.anonymous

    for query, variables in [
        (WALLET, {"id": wallet_id}),
        (WALLET, {"id": str(uuid.uuid4())}),
        (TRANSACTION, {"id": transaction_id}),
        (OPEN, {"input": {"currency": "CHF"}}),
        (DEPOSIT, {"input": {"walletId": wallet_id, "amount": 1}}),
    ]:
        body = await anonymous.graphql(query, variables)
        assert codes(body) == ["UNAUTHENTICATED"], (query, body)


async def test_another_user_cannot_read_or_credit_a_wallet(secured: Secured):
    owner, intruder = str(uuid.uuid4()), str(uuid.uuid4())
    wallet_id, transaction_id = await wallet_with_deposit(secured, owner)
    as_intruder = secured.as_user(intruder)

    wallet = await as_intruder.graphql(WALLET, {"id": wallet_id})
    transaction = await as_intruder.graphql(TRANSACTION, {"id": transaction_id})
    credit = await as_intruder.graphql(DEPOSIT, {"input": {"walletId": wallet_id, "amount": 9}})

    assert wallet["data"] == {"wallet": None} and codes(wallet) == ["FORBIDDEN"]
    assert transaction["data"] == {"transaction": None} and codes(transaction) == ["FORBIDDEN"]
    assert credit["data"] is None and codes(credit) == ["FORBIDDEN"]
    still = await secured.as_user(owner).graphql(WALLET, {"id": wallet_id})
    assert still["data"]["wallet"]["balance"] == {"amount": 500}


async def test_a_user_cannot_open_a_wallet_for_someone_else_but_an_admin_can(secured: Secured):
    someone = str(uuid.uuid4())
    variables = {"input": {"ownerId": someone, "currency": "GBP"}}

    forged = await secured.as_user(str(uuid.uuid4())).graphql(OPEN, variables)
    by_admin = await secured.admin.graphql(OPEN, variables)

    assert forged["data"] is None and codes(forged) == ["FORBIDDEN"]
    assert by_admin["data"]["openWallet"]["owner"] == {"id": someone}


async def test_entity_references_apply_the_same_checks(secured: Secured):
    owner, intruder = str(uuid.uuid4()), str(uuid.uuid4())
    wallet_id, transaction_id = await wallet_with_deposit(secured, owner)
    representations = [
        {"__typename": "Wallet", "id": wallet_id},
        {"__typename": "Transaction", "id": transaction_id},
        {"__typename": "User", "id": owner},
    ]
    variables = {"representations": representations}

    as_owner = await secured.as_user(owner).graphql(ENTITIES, variables)
    as_admin = await secured.admin.graphql(ENTITIES, variables)
    as_intruder = await secured.as_user(intruder).graphql(ENTITIES, variables)

    expected = [{"id": wallet_id}, {"id": transaction_id}, {"wallets": [{"id": wallet_id}]}]
    assert "errors" not in as_owner and as_owner["data"]["_entities"] == expected
    assert "errors" not in as_admin and as_admin["data"]["_entities"] == expected
    assert codes(as_intruder) == ["FORBIDDEN"] * 3
    assert sorted(error["path"] for error in as_intruder["errors"]) == [
        ["_entities", 0],
        ["_entities", 1],
        ["_entities", 2, "wallets"],
    ]


async def test_the_owner_and_admins_read_wallets_and_transactions(secured: Secured):
    owner = str(uuid.uuid4())
    wallet_id, transaction_id = await wallet_with_deposit(secured, owner)

    for caller in (secured.as_user(owner), secured.admin):
        wallet = await caller.graphql(WALLET, {"id": wallet_id})
        transaction = await caller.graphql(TRANSACTION, {"id": transaction_id})
        assert wallet["data"]["wallet"] == {"id": wallet_id, "balance": {"amount": 500}}
        assert transaction["data"]["transaction"]["amount"] == {"amount": 500}


async def test_the_schema_declares_the_access_rules_for_composition(secured: Secured):
    body = await secured.anonymous.graphql("{ _service { sdl } }")
    sdl = body["data"]["_service"]["sdl"]

    assert 'type Wallet @key(fields: "id") @authenticated' in sdl
    assert 'type Transaction @key(fields: "id") @authenticated' in sdl
    assert "wallet(id: ID!): Wallet @authenticated" in sdl
    assert "openWallet(input: OpenWalletInput!): Wallet! @authenticated" in sdl
