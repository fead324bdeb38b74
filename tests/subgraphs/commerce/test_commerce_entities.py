"""commerce's federation surface: `_entities` for Seller, Product, Order and the User extension
(one SELECT for N references), the newest-first `User.orders`, and the SDL keys."""

from __future__ import annotations

from subgraphs.kernel.testing import count_statements, selects
from tests.subgraphs.commerce.commerce_client import (
    REGISTER_SELLER,
    new_id,
    new_product,
    new_seller,
    ok,
    place,
)

ENTITIES = "query($r: [_Any!]!) { _entities(representations: $r) { __typename %s } }"


async def resolve(commerce, typename: str, ids: list[str], selection: str):
    representations = [{"__typename": typename, "id": entity_id} for entity_id in ids]
    with count_statements(commerce.engine) as statements:
        body = await commerce.graphql(
            ENTITIES % f"... on {typename} {{ {selection} }}", {"r": representations}
        )
    assert "errors" not in body, body
    return body["data"]["_entities"], selects(statements)


async def test_many_seller_references_cost_one_select(commerce):
    sellers = [(await new_seller(commerce, f"Shop {i}"))["id"] for i in range(4)]

    entities, statements = await resolve(commerce, "Seller", [*sellers, new_id()], "id displayName")

    assert [entity["id"] for entity in entities[:-1]] == sellers
    assert entities[-1] is None
    assert len(statements) == 1, statements


async def test_many_product_references_cost_one_select(commerce):
    seller = await new_seller(commerce)
    products = [(await new_product(commerce, seller["id"]))["id"] for _ in range(4)]

    entities, statements = await resolve(commerce, "Product", products, "id price { amount }")

    assert [entity["id"] for entity in entities] == products
    assert len(statements) == 1, statements


async def test_many_order_references_cost_one_select_plus_one_for_all_their_lines(commerce):
    seller = await new_seller(commerce)
    product = await new_product(commerce, seller["id"], stock=100)
    orders = [
        (await place(commerce, new_id(), [(product["id"], 1)]))["data"]["placeOrder"]["id"]
        for _ in range(4)
    ]

    entities, statements = await resolve(commerce, "Order", orders, "id total { amount }")
    assert [entity["id"] for entity in entities] == orders
    assert len(statements) == 1, statements

    with_lines, statements = await resolve(
        commerce, "Order", orders, "id buyer { id } lines { quantity product { id } }"
    )
    assert all(order["lines"][0]["product"]["id"] == product["id"] for order in with_lines)
    assert len(statements) == 3, statements  # orders, lines of all orders, their products


async def test_seller_of_many_users_costs_one_select(commerce):
    users = [new_id() for _ in range(4)]
    for user_id in users[:2]:
        await ok(commerce, REGISTER_SELLER, {"input": {"userId": user_id, "displayName": "S"}})

    entities, statements = await resolve(commerce, "User", users, "id seller { user { id } }")

    assert [entity["id"] for entity in entities] == users
    assert [entity["seller"] for entity in entities] == [
        {"user": {"id": users[0]}},
        {"user": {"id": users[1]}},
        None,
        None,
    ]
    assert len(statements) == 1, statements


async def test_user_orders_page_newest_first(commerce):
    seller = await new_seller(commerce)
    product = await new_product(commerce, seller["id"], stock=100)
    buyer = new_id()
    placed = [
        (await place(commerce, buyer, [(product["id"], 1)]))["data"]["placeOrder"]["id"]
        for _ in range(5)
    ]
    query = """
    query($r: [_Any!]!, $after: String) {
      _entities(representations: $r) {
        ... on User { orders(first: 2, after: $after) {
          edges { node { id buyer { id } } } pageInfo { hasNextPage endCursor } } }
      }
    }
    """

    seen: list[str] = []
    after = None
    while True:
        body = await commerce.graphql(
            query, {"r": [{"__typename": "User", "id": buyer}], "after": after}
        )
        connection = body["data"]["_entities"][0]["orders"]
        seen += [edge["node"]["id"] for edge in connection["edges"]]
        assert all(edge["node"]["buyer"] == {"id": buyer} for edge in connection["edges"])
        if not connection["pageInfo"]["hasNextPage"]:
            break
        after = connection["pageInfo"]["endCursor"]

    assert seen == list(reversed(placed))


async def test_service_sdl_declares_the_keys_commerce_owns_and_extends(commerce):
    body = await commerce.graphql("{ _service { sdl } }")
    sdl = body["data"]["_service"]["sdl"]

    for owned in ("Seller", "Product", "Order", "User"):
        assert f'type {owned} @key(fields: "id")' in sdl, owned
    assert "orders(first: Int = null, after: String = null): OrderConnection @authenticated" in sdl
    assert "seller: Seller\n" in sdl
    assert "https://specs.apollo.dev/federation/v2.7" in sdl


async def test_orders_of_many_users_cost_one_select(commerce):
    seller = await new_seller(commerce)
    product = await new_product(commerce, seller["id"], stock=100)
    buyers = [new_id() for _ in range(4)]
    placed: dict[str, list[str]] = {buyer: [] for buyer in buyers}
    for buyer in buyers[:3]:
        for _ in range(3):
            order = await place(commerce, buyer, [(product["id"], 1)])
            placed[buyer].append(order["data"]["placeOrder"]["id"])

    entities, statements = await resolve(
        commerce,
        "User",
        buyers,
        "id orders(first: 2) { edges { node { id } } pageInfo { hasNextPage } }",
    )

    for buyer, entity in zip(buyers, entities, strict=True):
        assert [edge["node"]["id"] for edge in entity["orders"]["edges"]] == list(
            reversed(placed[buyer])
        )[:2]
        assert entity["orders"]["pageInfo"]["hasNextPage"] is bool(placed[buyer])
    assert len(statements) == 1, statements


async def test_a_bad_first_fails_only_the_orders_fields(commerce):
    body = await commerce.graphql(
        ENTITIES % "... on User { id orders(first: 0) { edges { cursor } } }",
        {"r": [{"__typename": "User", "id": new_id()} for _ in range(2)]},
    )

    assert [error["extensions"]["code"] for error in body["errors"]] == ["BAD_USER_INPUT"] * 2
    assert [entity["orders"] for entity in body["data"]["_entities"]] == [None, None]
