"""Mutations through the router: a new user's first steps, serial root fields, failures that
carry the subgraph's code and write nothing."""

import uuid
from typing import Any

from subgraphs.kernel.demo import demo_id
from tests.integration.platform.client import GraphQLClient
from tests.integration.platform.demo import ALICE, WALLETS

REGISTER = """
mutation ($email: String!, $name: String!) {
  registerUser(
    input: { email: $email, displayName: $name, password: "correct horse battery staple 42" }
  ) { id email displayName status }
}
"""
OPEN_WALLET = """
mutation ($owner: ID!, $currency: String!) {
  openWallet(input: { ownerId: $owner, currency: $currency }) {
    id currency balance { amount currency } owner { displayName }
  }
}
"""
USER_WALLETS = """
query ($id: ID!) {
  user(id: $id) {
    displayName
    wallets {
      id currency balance { amount currency }
      transactions { edges { node { kind amount { amount } description } } }
    }
  }
}
"""


def unique_email() -> str:
    return f"platform-{uuid.uuid4().hex[:12]}@example.com"


async def register(router: GraphQLClient, name: str) -> dict[str, Any]:
    email = unique_email()
    data = await router.query(REGISTER, {"email": email, "name": name})
    user: dict[str, Any] = data["registerUser"]
    assert user == {"id": user["id"], "email": email, "displayName": name, "status": "ACTIVE"}
    return user


async def test_a_new_user_registers_opens_a_wallet_and_deposits(router: GraphQLClient) -> None:
    user = await register(router, "Frank Platform")
    opened = (await router.query(OPEN_WALLET, {"owner": user["id"], "currency": "CHF"}))[
        "openWallet"
    ]
    assert opened == {
        "id": opened["id"],
        "currency": "CHF",
        "balance": {"amount": 0, "currency": "CHF"},
        "owner": {"displayName": "Frank Platform"},  # money -> identity in a mutation
    }
    deposit = """
    mutation ($wallet: ID!) {
      depositToWallet(input: { walletId: $wallet, amount: 1234, description: "Salary" }) {
        kind amount { amount currency } wallet { balance { amount } }
      }
    }
    """
    deposited = await router.query(deposit, {"wallet": opened["id"]})
    assert deposited == {
        "depositToWallet": {
            "kind": "DEPOSIT",
            "amount": {"amount": 1234, "currency": "CHF"},
            "wallet": {"balance": {"amount": 1234}},
        }
    }

    data = await router.query(USER_WALLETS, {"id": user["id"]})
    assert data == {
        "user": {
            "displayName": "Frank Platform",
            "wallets": [
                {
                    "id": opened["id"],
                    "currency": "CHF",
                    "balance": {"amount": 1234, "currency": "CHF"},
                    "transactions": {
                        "edges": [
                            {
                                "node": {
                                    "kind": "DEPOSIT",
                                    "amount": {"amount": 1234},
                                    "description": "Salary",
                                }
                            }
                        ]
                    },
                }
            ],
        }
    }


async def test_mutation_root_fields_run_serially_in_document_order(router: GraphQLClient) -> None:
    user = await register(router, "Grace Serial")
    wallet = (await router.query(OPEN_WALLET, {"owner": user["id"], "currency": "USD"}))[
        "openWallet"
    ]["id"]
    # Each field sees the writes of the fields before it (and its entity fetch runs before the
    # next field starts).
    query = """
    mutation ($wallet: ID!) {
      first: depositToWallet(input: { walletId: $wallet, amount: 100 }) {
        wallet { balance { amount } }
      }
      second: depositToWallet(input: { walletId: $wallet, amount: 20 }) {
        wallet { balance { amount } }
      }
      third: depositToWallet(input: { walletId: $wallet, amount: 3 }) {
        wallet { balance { amount } owner { displayName } }
      }
    }
    """
    data = await router.query(query, {"wallet": wallet})

    assert data == {
        "first": {"wallet": {"balance": {"amount": 100}}},
        "second": {"wallet": {"balance": {"amount": 120}}},
        "third": {"wallet": {"balance": {"amount": 123}, "owner": {"displayName": "Grace Serial"}}},
    }


async def test_a_later_mutation_field_sees_the_earlier_one(
    router: GraphQLClient,
) -> None:
    email = unique_email()
    query = """
    mutation ($email: String!, $password: String!) {
      a: registerUser(input: { email: $email, displayName: "Twice", password: $password }) {
        displayName
      }
      b: registerUser(
        input: { email: $email, displayName: "Twice again", password: $password }
      ) {
        displayName
      }
    }
    """
    reply = await router.post(
        query, {"email": email, "password": "correct horse battery staple 42"}
    )

    assert reply.status == 200
    assert reply.data is None  # `b` is a non-null root field: its null reaches `data`
    [error] = reply.errors
    assert error["path"] == ["b"]
    assert error["extensions"]["code"] == "CONFLICT"
    assert error["extensions"]["serviceName"] == "identity"


async def wallets_of_alice(router: GraphQLClient) -> Any:
    return (await router.query(USER_WALLETS, {"id": ALICE}))["user"]["wallets"]


async def test_failing_mutations_carry_the_subgraph_code_and_write_nothing(
    router: GraphQLClient,
) -> None:
    before = await wallets_of_alice(router)
    assert [(w["id"], w["balance"]) for w in before] == [
        (w["id"], w["balance"]) for w in WALLETS[ALICE]
    ]
    cases = [
        # (document, variables, path, code, service)
        (OPEN_WALLET, {"owner": ALICE, "currency": "USD"}, "openWallet", "CONFLICT", "money"),
        (
            """mutation ($w: ID!) { deposit: depositToWallet(input: { walletId: $w, amount: -5 })
               { id } }""",
            {"w": demo_id("wallet", "alice-usd")},
            "deposit",
            "BAD_USER_INPUT",
            "money",
        ),
        (
            """mutation ($w: ID!) { deposit: depositToWallet(input: { walletId: $w, amount: 5 })
               { id } }""",
            {"w": str(uuid.uuid4())},
            "deposit",
            "NOT_FOUND",
            "money",
        ),
        (
            REGISTER,
            {"email": "alice@example.com", "name": "Alice Again"},
            "registerUser",
            "CONFLICT",
            "identity",
        ),
    ]
    for document, variables, path, code, service in cases:
        reply = await router.post(document, variables)
        assert reply.status == 200, reply.body
        assert reply.data is None, reply.body  # the root field is non-null
        [error] = reply.errors
        assert error["path"] == [path], reply.body
        assert error["extensions"]["code"] == code, reply.body
        assert error["extensions"]["serviceName"] == service, reply.body

    assert await wallets_of_alice(router) == before
    users = await router.query("{ users(first: 100) { edges { node { email } } } }")
    emails = [edge["node"]["email"] for edge in users["users"]["edges"]]
    assert emails.count("alice@example.com") == 1
