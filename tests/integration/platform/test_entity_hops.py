"""Entity hops of depth >= 3 across subgraphs, lists of entities, and batching: the router sends
one request per subgraph per step, and the subgraph resolves the whole batch with one SELECT."""

import aiohttp

from subgraphs.kernel.testing import count_statements, selects
from tests.integration.platform.client import GraphQLClient
from tests.integration.platform.demo import (
    ALICE,
    ALICE_1,
    ALICE_MUG_TICKET,
    CAROL,
    DISPLAY_NAMES,
    ORDERS,
    WALLETS,
)
from tests.integration.platform.servers import Platform, detour, recorded_requests

DEMO_USER_COUNT = 5


async def test_four_entity_hops_alternate_between_subgraphs(
    router: GraphQLClient, platform: Platform
) -> None:
    # support -> commerce -> identity -> money -> identity -> commerce
    query = """
    query ($ticket: ID!) {
      ticket(id: $ticket) {
        subject
        order {
          id
          buyer {
            displayName
            wallets {
              currency
              owner { email orders { edges { node { id status } } } }
            }
          }
        }
      }
    }
    """
    with recorded_requests(platform) as requests:
        data = await router.query(query, {"ticket": ALICE_MUG_TICKET})

    owner = {
        "email": "alice@example.com",
        "orders": {
            "edges": [{"node": {"id": id_, "status": status}} for id_, status, _ in ORDERS[ALICE]]
        },
    }
    assert data == {
        "ticket": {
            "subject": "My mug arrived cracked",
            "order": {
                "id": ALICE_1,
                "buyer": {
                    "displayName": "Alice Martin",
                    "wallets": [
                        {"currency": "USD", "owner": owner},
                        {"currency": "EUR", "owner": owner},
                    ],
                },
            },
        }
    }
    # support: ticket; commerce: order.buyer; identity + money: buyer's displayName and
    # wallets; identity + commerce: owner's email and orders (the two owners sent as one).
    sent = {name: len(requests[name]) for name in requests}
    assert sent == {
        "identity": 2,
        "money": 1,
        "commerce": 2,
        "media": 0,
        "support": 1,
        "observability": 0,
    }
    owner_fetch = requests["commerce"][1]["variables"]["representations"]
    assert owner_fetch == [{"__typename": "User", "id": ALICE}]


async def test_wallets_of_every_listed_user_cost_one_request_and_one_select(
    router: GraphQLClient, platform: Platform
) -> None:
    query = """
    {
      users(first: 5) {
        edges { node { id displayName wallets { id currency balance { amount currency } } } }
      }
    }
    """
    with (
        recorded_requests(platform) as requests,
        count_statements(platform.engine("money")) as statements,
    ):
        data = await router.query(query)

    assert {edge["node"]["id"]: edge["node"] for edge in data["users"]["edges"]} == {
        id_: {"id": id_, "displayName": name, "wallets": WALLETS[id_]}
        for id_, name in DISPLAY_NAMES.items()
    }
    assert len(requests["identity"]) == 1
    [money_request] = requests["money"]
    assert "_entities" in money_request["query"]
    representations = money_request["variables"]["representations"]
    assert sorted(r["id"] for r in representations) == sorted(DISPLAY_NAMES)
    assert {r["__typename"] for r in representations} == {"User"}
    assert len(selects(statements)) == 1, statements
    assert {name for name, sent in requests.items() if sent} == {"identity", "money"}


async def test_a_second_level_hop_is_one_request_with_each_representation_once(
    router: GraphQLClient, platform: Platform
) -> None:
    # users (identity) -> wallets (money) -> owner (identity) -> displayName: the owners of
    # alice's two wallets are one representation.
    query = """
    {
      users(first: 5) {
        edges { node { id wallets { currency owner { id displayName } } } }
      }
    }
    """
    with recorded_requests(platform) as requests:
        data = await router.query(query)

    for edge in data["users"]["edges"]:
        user = edge["node"]
        assert user["wallets"] == [
            {
                "currency": w["currency"],
                "owner": {"id": user["id"], "displayName": DISPLAY_NAMES[user["id"]]},
            }
            for w in WALLETS[user["id"]]
        ]
    assert len(requests["money"]) == 1
    assert len(requests["identity"]) == 2  # the users page, then one _entities for the owners
    owners = requests["identity"][1]["variables"]["representations"]
    assert sorted(r["id"] for r in owners) == sorted(
        id_ for id_, wallets in WALLETS.items() if wallets
    )


async def test_orders_of_every_listed_user_cost_one_request_and_one_select(
    router: GraphQLClient, platform: Platform
) -> None:
    query = """
    {
      users(first: 5) {
        edges { node { id orders { edges { node { id status total { amount currency } } } } } }
      }
    }
    """
    with (
        recorded_requests(platform) as requests,
        count_statements(platform.engine("commerce")) as statements,
    ):
        data = await router.query(query)

    assert {edge["node"]["id"]: edge["node"]["orders"] for edge in data["users"]["edges"]} == {
        id_: {
            "edges": [
                {"node": {"id": order_id, "status": status, "total": total}}
                for order_id, status, total in orders
            ]
        }
        for id_, orders in ORDERS.items()
    }
    assert len(requests["commerce"]) == 1
    assert len(selects(statements)) == 1, statements


async def test_orders_and_seller_of_users_resolve_together_on_fresh_pools(
    platform: Platform, http: aiohttp.ClientSession
) -> None:
    # Both fields use commerce's request session at once; this once failed with SQLAlchemy's
    # "concurrent operations are not permitted" on a cold connection pool.
    query = """
    query ($ids: [ID!]!) {
      alice: user(id: $alice) { orders { edges { node { id } } } seller { displayName } }
      carol: user(id: $carol) { orders { edges { node { id } } } seller { displayName } }
    }
    """.replace("query ($ids: [ID!]!)", "query ($alice: ID!, $carol: ID!)")
    # A fresh commerce (cold connection pool) shows the race on its first request every time.
    async with detour(platform, "commerce") as fresh:
        reply = await GraphQLClient(http, fresh.router.graphql_url, platform.admin_headers()).post(
            query, {"alice": ALICE, "carol": CAROL}
        )

    assert reply.errors == []
    assert reply.data == {
        "alice": {
            "orders": {"edges": [{"node": {"id": id_}} for id_, _, _ in ORDERS[ALICE]]},
            "seller": None,
        },
        "carol": {"orders": {"edges": []}, "seller": {"displayName": "Carol's Crafts"}},
    }


async def test_a_deep_owner_wallet_chain_is_planned_into_one_hop_per_subgraph(
    router: GraphQLClient, platform: Platform
) -> None:
    query = """
    query ($id: ID!) {
      user(id: $id) {
        wallets { owner { wallets { owner { wallets { owner { displayName } } } } } }
      }
    }
    """
    with recorded_requests(platform) as requests:
        data = await router.query(query, {"id": ALICE})

    owner: dict[str, object] = {"displayName": "Alice Martin"}
    for _ in range(2):
        owner = {"wallets": [{"owner": owner}, {"owner": owner}]}
    assert data == {"user": {"wallets": [{"owner": owner}, {"owner": owner}]}}
    # money resolves `wallets { owner { wallets ... } }` itself (owner is a User key it can
    # extend), so: identity's root field, one money hop for the whole wallet/owner chain and one
    # identity hop for displayName, where the eight owners are one representation, sent once.
    assert (len(requests["identity"]), len(requests["money"])) == (2, 1)
    for request in (requests["money"][0], requests["identity"][1]):
        assert request["variables"]["representations"] == [{"__typename": "User", "id": ALICE}]


async def test_an_unknown_root_entity_is_null_without_further_fetches(
    router: GraphQLClient, platform: Platform
) -> None:
    with recorded_requests(platform) as requests:
        reply = await router.post('{ user(id: "nobody") { displayName wallets { id } } }')

    assert reply.body == {"data": {"user": None}}
    assert requests["money"] == []
