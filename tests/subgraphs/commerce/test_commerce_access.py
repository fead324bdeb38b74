"""commerce enforces access itself (issue 4), called directly with real tokens: the catalogue
is public; an order is its buyer's, its sellers' and staff's; shops are their seller's."""

from __future__ import annotations

import uuid
from typing import Any

from tests.fixtures.tokens import Secured
from tests.subgraphs.commerce.commerce_client import (
    CREATE_PRODUCT,
    PLACE_ORDER,
    REGISTER_SELLER,
    UPDATE_STATUS,
)

ORDER = "query($id: ID!) { order(id: $id) { id buyer { id } } }"
PRODUCTS = "{ products(first: 1) { edges { node { id } } } }"
ENTITIES = """
query($representations: [_Any!]!) {
  _entities(representations: $representations) {
    ... on Order { id }
    ... on User { orders { edges { node { id } } } }
  }
}
"""


def codes(body: dict[str, Any]) -> list[str]:
    return [error["extensions"]["code"] for error in body.get("errors", [])]


def product_input(seller_id: str) -> dict[str, Any]:
    price = {"amount": 1500, "currency": "EUR"}
    return {"sellerId": seller_id, "name": "Mug", "price": price, "stock": 10}


async def shop_of(secured: Secured, seller_user: str) -> tuple[str, str]:
    """A shop of `seller_user` (opened by themself) with one product: (seller id, product id)."""
    as_seller = secured.as_user(seller_user, "user", "seller")
    body = await as_seller.graphql(REGISTER_SELLER, {"input": {"displayName": "Shop"}})
    assert body["data"]["registerSeller"]["user"] == {"id": seller_user}, body
    seller_id = body["data"]["registerSeller"]["id"]
    body = await as_seller.graphql(CREATE_PRODUCT, {"input": product_input(seller_id)})
    assert "errors" not in body, body
    return seller_id, body["data"]["createProduct"]["id"]


async def order_by(secured: Secured, buyer: str, product_id: str) -> str:
    lines = [{"productId": product_id, "quantity": 1}]
    body = await secured.as_user(buyer).graphql(PLACE_ORDER, {"input": {"lines": lines}})
    assert body["data"]["placeOrder"]["buyer"] == {"id": buyer}, body
    order_id: str = body["data"]["placeOrder"]["id"]
    return order_id


async def test_the_catalogue_is_public_and_orders_need_a_token(secured: Secured):
    _, product_id = await shop_of(secured, str(uuid.uuid4()))
    order_id = await order_by(secured, str(uuid.uuid4()), product_id)
    anonymous = secured.anonymous

    products = await anonymous.graphql(PRODUCTS)
    order = await anonymous.graphql(ORDER, {"id": order_id})
    placed = await anonymous.graphql(
        PLACE_ORDER, {"input": {"lines": [{"productId": product_id, "quantity": 1}]}}
    )

    assert "errors" not in products and products["data"]["products"]["edges"]
    assert order == {"data": {"order": None}, "errors": order["errors"]}
    assert codes(order) == ["UNAUTHENTICATED"] and codes(placed) == ["UNAUTHENTICATED"]


async def test_an_order_is_seen_by_its_buyer_sellers_and_staff_only(secured: Secured):
    seller_user, buyer, intruder = (str(uuid.uuid4()) for _ in range(3))
    _, product_id = await shop_of(secured, seller_user)
    order_id = await order_by(secured, buyer, product_id)

    for caller in (
        secured.as_user(buyer),
        secured.as_user(seller_user, "user", "seller"),
        secured.as_user(str(uuid.uuid4()), "user", "support_agent"),
        secured.admin,
    ):
        body = await caller.graphql(ORDER, {"id": order_id})
        assert body["data"]["order"] == {"id": order_id, "buyer": {"id": buyer}}, body
    refused = await secured.as_user(intruder).graphql(ORDER, {"id": order_id})
    assert refused["data"] == {"order": None} and codes(refused) == ["FORBIDDEN"]


async def test_entity_references_and_user_orders_apply_the_same_checks(secured: Secured):
    buyer, intruder = str(uuid.uuid4()), str(uuid.uuid4())
    _, product_id = await shop_of(secured, str(uuid.uuid4()))
    order_id = await order_by(secured, buyer, product_id)
    variables = {
        "representations": [
            {"__typename": "Order", "id": order_id},
            {"__typename": "User", "id": buyer},
        ]
    }

    mine = await secured.as_user(buyer).graphql(ENTITIES, variables)
    theirs = await secured.as_user(intruder).graphql(ENTITIES, variables)

    assert "errors" not in mine, mine
    assert mine["data"]["_entities"][1]["orders"]["edges"] == [{"node": {"id": order_id}}]
    assert codes(theirs) == ["FORBIDDEN", "FORBIDDEN"]


async def test_orders_are_placed_for_the_signed_in_user_unless_an_admin_names_one(
    secured: Secured,
):
    _, product_id = await shop_of(secured, str(uuid.uuid4()))
    someone = str(uuid.uuid4())
    variables = {"input": {"buyerId": someone, "lines": [{"productId": product_id, "quantity": 1}]}}

    forged = await secured.as_user(str(uuid.uuid4())).graphql(PLACE_ORDER, variables)
    by_admin = await secured.admin.graphql(PLACE_ORDER, variables)

    assert forged["data"] is None and codes(forged) == ["FORBIDDEN"]
    assert by_admin["data"]["placeOrder"]["buyer"] == {"id": someone}


async def test_only_sellers_list_products_and_only_in_their_own_shop(secured: Secured):
    seller_user = str(uuid.uuid4())
    seller_id, _ = await shop_of(secured, seller_user)
    variables = {"input": product_input(seller_id)}

    not_a_seller = await secured.as_user(seller_user).graphql(CREATE_PRODUCT, variables)
    other_seller = await secured.as_user(str(uuid.uuid4()), "user", "seller").graphql(
        CREATE_PRODUCT, variables
    )
    no_shop = await secured.as_user(str(uuid.uuid4())).graphql(
        REGISTER_SELLER, {"input": {"displayName": "Mine"}}
    )

    assert codes(not_a_seller) == ["FORBIDDEN"]
    assert codes(other_seller) == ["FORBIDDEN"]
    assert codes(no_shop) == ["FORBIDDEN"]


async def test_buyers_may_only_cancel_and_sellers_move_their_orders(secured: Secured):
    seller_user, buyer = str(uuid.uuid4()), str(uuid.uuid4())
    _, product_id = await shop_of(secured, seller_user)
    first = await order_by(secured, buyer, product_id)
    second = await order_by(secured, buyer, product_id)

    def move(order_id: str, status: str) -> dict[str, Any]:
        return {"input": {"orderId": order_id, "status": status}}

    buyer_pays = await secured.as_user(buyer).graphql(UPDATE_STATUS, move(first, "PAID"))
    stranger = await secured.as_user(str(uuid.uuid4())).graphql(
        UPDATE_STATUS, move(first, "CANCELLED")
    )
    seller_pays = await secured.as_user(seller_user, "user", "seller").graphql(
        UPDATE_STATUS, move(first, "PAID")
    )
    buyer_cancels = await secured.as_user(buyer).graphql(UPDATE_STATUS, move(second, "CANCELLED"))

    assert codes(buyer_pays) == ["FORBIDDEN"]
    assert codes(stranger) == ["FORBIDDEN"]
    assert seller_pays["data"]["updateOrderStatus"]["status"] == "PAID"
    assert buyer_cancels["data"]["updateOrderStatus"]["status"] == "CANCELLED"


async def test_the_schema_declares_the_access_rules_for_composition(secured: Secured):
    body = await secured.anonymous.graphql("{ _service { sdl } }")
    sdl = body["data"]["_service"]["sdl"]

    assert 'type Order @key(fields: "id") @authenticated' in sdl
    assert "order(id: ID!): Order @authenticated" in sdl
    sellers_only = '@requiresScopes(scopes: [["seller"], ["admin"]])'
    assert f"createProduct(input: CreateProductInput!): Product! {sellers_only}" in sdl
