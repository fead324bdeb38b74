"""Fragments, aliases, variables with defaults, @skip/@include and __typename through the router."""

from tests.integration.platform.client import GraphQLClient
from tests.integration.platform.demo import ALICE, ALICE_1, ALICE_2, BOB, WALLETS


async def test_named_and_inline_fragments_across_subgraphs(router: GraphQLClient) -> None:
    query = """
    query ($id: ID!) {
      user(id: $id) { ...Profile ... on User { wallets { ...Balance } } }
    }
    fragment Profile on User {
      displayName
      orders { edges { node { ... on Order { id buyer { ...Name } } } } }
    }
    fragment Balance on Wallet { currency balance { amount } }
    fragment Name on User { displayName }
    """
    data = await router.query(query, {"id": ALICE})

    alice = {"displayName": "Alice Martin"}
    assert data == {
        "user": {
            "displayName": "Alice Martin",
            "orders": {
                "edges": [
                    {"node": {"id": ALICE_2, "buyer": alice}},
                    {"node": {"id": ALICE_1, "buyer": alice}},
                ]
            },
            "wallets": [
                {"currency": w["currency"], "balance": {"amount": w["balance"]["amount"]}}
                for w in WALLETS[ALICE]
            ],
        }
    }


async def test_aliases_ask_one_field_twice_with_different_arguments(router: GraphQLClient) -> None:
    query = """
    query ($alice: ID!, $bob: ID!) {
      alice: user(id: $alice) {
        newest: orders(first: 1) { edges { node { id } } pageInfo { hasNextPage } }
        all: orders { edges { node { id } } pageInfo { hasNextPage } }
        name: displayName
      }
      bob: user(id: $bob) { name: displayName mail: email }
    }
    """
    data = await router.query(query, {"alice": ALICE, "bob": BOB})

    assert data == {
        "alice": {
            "newest": {"edges": [{"node": {"id": ALICE_2}}], "pageInfo": {"hasNextPage": True}},
            "all": {
                "edges": [{"node": {"id": ALICE_2}}, {"node": {"id": ALICE_1}}],
                "pageInfo": {"hasNextPage": False},
            },
            "name": "Alice Martin",
        },
        "bob": {"name": "Bob Keller", "mail": "bob@example.com"},
    }


VARIABLES_QUERY = """
query Orders($id: ID!, $first: Int = 1, $withWallets: Boolean = false, $skipName: Boolean = true) {
  user(id: $id) {
    displayName @skip(if: $skipName)
    orders(first: $first) { edges { node { id } } }
    wallets @include(if: $withWallets) { currency }
  }
}
"""


async def test_declared_variable_defaults_apply_when_omitted(router: GraphQLClient) -> None:
    data = await router.query(VARIABLES_QUERY, {"id": ALICE})

    assert data == {"user": {"orders": {"edges": [{"node": {"id": ALICE_2}}]}}}


async def test_skip_and_include_follow_the_variables(router: GraphQLClient) -> None:
    data = await router.query(
        VARIABLES_QUERY, {"id": ALICE, "first": 2, "withWallets": True, "skipName": False}
    )

    assert data == {
        "user": {
            "displayName": "Alice Martin",
            "orders": {"edges": [{"node": {"id": ALICE_2}}, {"node": {"id": ALICE_1}}]},
            "wallets": [{"currency": "USD"}, {"currency": "EUR"}],
        }
    }


async def test_skip_and_include_on_fragments_and_whole_subgraph_hops(
    router: GraphQLClient,
) -> None:
    query = """
    query ($id: ID!, $money: Boolean!, $media: Boolean!) {
      user(id: $id) {
        id
        ... on User @include(if: $money) { wallets { currency } }
        ...Videos @skip(if: $media)
      }
    }
    fragment Videos on User { videos { edges { node { title } } } }
    """
    data = await router.query(query, {"id": ALICE, "money": False, "media": True})

    assert data == {"user": {"id": ALICE}}


async def test_typename_is_answered_at_every_level(router: GraphQLClient) -> None:
    query = """
    query ($id: ID!) {
      __typename
      user(id: $id) {
        __typename
        wallets { __typename balance { __typename } owner { __typename } }
        orders(first: 1) {
          __typename
          edges { __typename node { __typename buyer { __typename } lines { __typename } } }
          pageInfo { __typename }
        }
      }
    }
    """
    data = await router.query(query, {"id": ALICE})

    wallet = {
        "__typename": "Wallet",
        "balance": {"__typename": "Money"},
        "owner": {"__typename": "User"},
    }
    assert data == {
        "__typename": "Query",
        "user": {
            "__typename": "User",
            "wallets": [wallet, wallet],
            "orders": {
                "__typename": "OrderConnection",
                "edges": [
                    {
                        "__typename": "OrderEdge",
                        "node": {
                            "__typename": "Order",
                            "buyer": {"__typename": "User"},
                            "lines": [{"__typename": "OrderLine"}],
                        },
                    }
                ],
                "pageInfo": {"__typename": "PageInfo"},
            },
        },
    }


async def test_a_skipped_key_field_is_still_fetched_for_the_hop_but_not_returned(
    router: GraphQLClient,
) -> None:
    query = """
    query ($id: ID!, $no: Boolean = true) {
      user(id: $id) { id @skip(if: $no) kind: __typename wallets { code: currency } }
    }
    """
    data = await router.query(query, {"id": ALICE})

    assert data == {"user": {"kind": "User", "wallets": [{"code": "USD"}, {"code": "EUR"}]}}


async def test_bad_variable_values_are_refused_before_any_fetch(router: GraphQLClient) -> None:
    missing = await router.post("query ($id: ID!) { user(id: $id) { displayName } }", {})
    wrong = await router.post(
        "query ($n: Int) { users(first: $n) { edges { node { id } } } }", {"n": "x"}
    )

    for reply, variable in ((missing, "$id"), (wrong, "$n")):
        assert reply.status == 400
        assert "data" not in reply.body
        [error] = reply.errors
        assert variable in error["message"]
        assert error["extensions"]["code"] == "BAD_USER_INPUT"
