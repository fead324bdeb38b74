"""Identity and access through the router (issue 4): the router and the subgraphs verify the
token, ownership is the owning subgraph's, `@requiresScopes` fields are removed for callers
without the scope, and the rest of the answer is intact either way."""

from __future__ import annotations

import uuid

import aiohttp

from subgraphs.kernel.demo import demo_user_id
from tests.integration.platform.client import GraphQLClient
from tests.integration.platform.demo import ALICE, BOB, WALLETS
from tests.integration.platform.servers import Platform

BOB_WALLET = WALLETS[BOB][0]["id"]
ALICE_WALLET = WALLETS[ALICE][0]["id"]
DAVE = demo_user_id("dave")  # a support agent


def as_user(platform: Platform, http: aiohttp.ClientSession, user: str, *roles: str):
    return GraphQLClient(http, platform.graphql_url, platform.bearer(user, *roles))


def codes_at(errors: list[dict]) -> dict[tuple, str]:
    return {tuple(error["path"]): error["extensions"]["code"] for error in errors}


async def test_a_user_reading_another_users_wallet_is_refused_and_the_rest_answers(
    platform: Platform, http: aiohttp.ClientSession
) -> None:
    alice = as_user(platform, http, ALICE, "user")
    query = """
    query($theirs: ID!, $mine: ID!, $bob: ID!) {
      theirs: wallet(id: $theirs) { id balance { amount } }
      mine: wallet(id: $mine) { id }
      bob: user(id: $bob) { displayName wallets { id } }
      me { id }
    }
    """

    reply = await alice.post(query, {"theirs": BOB_WALLET, "mine": ALICE_WALLET, "bob": BOB})

    assert reply.status == 200
    assert reply.data == {
        "theirs": None,
        "mine": {"id": ALICE_WALLET},
        "bob": {"displayName": "Bob Keller", "wallets": None},
        "me": {"id": ALICE},
    }
    assert codes_at(reply.errors) == {("theirs",): "FORBIDDEN", ("bob", "wallets"): "FORBIDDEN"}


async def test_anonymous_callers_get_unauthenticated_at_each_protected_field(
    anonymous: GraphQLClient,
) -> None:
    query = """
    query($id: ID!) {
      wallet(id: $id) { id }
      products(first: 1) { edges { node { name } } }
    }
    """

    reply = await anonymous.post(query, {"id": ALICE_WALLET})

    assert reply.status == 200
    assert reply.data["wallet"] is None
    assert reply.data["products"]["edges"]
    assert codes_at(reply.errors) == {("wallet",): "UNAUTHENTICATED"}


async def test_a_requires_scopes_field_without_the_scope_is_null_with_forbidden(
    platform: Platform, http: aiohttp.ClientSession
) -> None:
    query = """
    {
      tickets(first: 5) { edges { node { id subject } } }
      me { id displayName }
      products(first: 1) { edges { node { name } } }
    }
    """

    reply = await as_user(platform, http, ALICE, "user").post(query)

    assert reply.status == 200
    assert reply.data["tickets"] is None
    assert reply.data["me"] == {"id": ALICE, "displayName": "Alice Martin"}
    assert reply.data["products"]["edges"]
    assert codes_at(reply.errors) == {("tickets",): "FORBIDDEN"}


async def test_the_same_field_with_the_scope_gives_data(
    platform: Platform, http: aiohttp.ClientSession
) -> None:
    query = "{ tickets(first: 5) { edges { node { id requester { id } } } } me { id } }"

    reply = await as_user(platform, http, DAVE, "user", "support_agent").post(query)

    assert reply.status == 200 and "errors" not in reply.body, reply.body
    assert reply.data["me"] == {"id": DAVE}
    assert reply.data["tickets"]["edges"]


async def test_a_bad_token_is_refused_with_401_unauthenticated(
    platform: Platform, http: aiohttp.ClientSession
) -> None:
    genuine = platform.mint.token(ALICE, "user")
    header, payload, signature = genuine.split(".")
    tampered = f"{header}.{payload[:-2]}AA.{signature}"

    for token in ("not-a-jwt", tampered, platform.mint.token(ALICE, "user", lifetime=-3600)):
        client = GraphQLClient(http, platform.graphql_url, {"Authorization": f"Bearer {token}"})
        reply = await client.post("{ products(first: 1) { edges { node { id } } } }")
        assert reply.status == 401, reply.body
        assert [error["extensions"]["code"] for error in reply.errors] == ["UNAUTHENTICATED"]


async def test_a_user_signs_up_logs_in_through_the_router_and_uses_the_token(
    anonymous: GraphQLClient,
) -> None:
    email = f"newcomer-{uuid.uuid4().hex[:8]}@example.com"
    password = "correct horse battery staple 42"
    registered = await anonymous.post(
        "mutation($input: RegisterUserInput!) { registerUser(input: $input) { id } }",
        {"input": {"email": email, "displayName": "Newcomer", "password": password}},
    )
    assert "errors" not in registered.body, registered.body
    user_id = registered.data["registerUser"]["id"]

    login = await anonymous.post(
        """
        mutation($input: LoginInput!) {
          login(input: $input) { tokens { accessToken user { id } } mfaChallenge { id } }
        }
        """,
        {"input": {"email": email, "password": password}},
    )
    assert "errors" not in login.body, login.body
    tokens = login.data["login"]["tokens"]
    assert tokens["user"] == {"id": user_id}
    signed_in = anonymous.with_headers({"Authorization": f"Bearer {tokens['accessToken']}"})

    opened = await signed_in.post(
        'mutation { openWallet(input: { currency: "EUR" }) { id owner { id } } }'
    )
    me = await signed_in.post("{ me { id email wallets { currency } } }")
    someone_elses = await signed_in.post(
        "query($id: ID!) { wallet(id: $id) { id } }", {"id": ALICE_WALLET}
    )

    assert opened.data["openWallet"]["owner"] == {"id": user_id}, opened.body
    assert me.data == {"me": {"id": user_id, "email": email, "wallets": [{"currency": "EUR"}]}}
    assert codes_at(someone_elses.errors) == {("wallet",): "FORBIDDEN"}
