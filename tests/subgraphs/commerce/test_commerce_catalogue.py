"""commerce over real HTTP: sellers and products, their errors and pagination."""

from __future__ import annotations

from tests.subgraphs.commerce.commerce_client import (
    CREATE_PRODUCT,
    REGISTER_SELLER,
    error_of,
    new_id,
    new_product,
    new_seller,
    ok,
)


async def test_register_seller_links_the_user_and_trims_the_name(commerce):
    user_id = new_id()

    seller = await ok(
        commerce, REGISTER_SELLER, {"input": {"userId": user_id, "displayName": "  Bo's  "}}
    )

    assert seller["displayName"] == "Bo's"
    assert seller["user"] == {"id": user_id}
    assert seller["createdAt"].endswith("+00:00")


async def test_a_user_can_only_be_one_seller(commerce):
    user_id = new_id()
    await ok(commerce, REGISTER_SELLER, {"input": {"userId": user_id, "displayName": "One"}})

    body = await commerce.graphql(
        REGISTER_SELLER, {"input": {"userId": user_id, "displayName": "Two"}}
    )

    assert error_of(body)["extensions"]["code"] == "CONFLICT"


async def test_bad_seller_input_is_bad_user_input(commerce):
    for user_id, name in [("carol", "Shop"), (new_id(), "   "), (new_id(), "x" * 81)]:
        body = await commerce.graphql(
            REGISTER_SELLER, {"input": {"userId": user_id, "displayName": name}}
        )
        assert error_of(body)["extensions"]["code"] == "BAD_USER_INPUT", (user_id, name)


async def test_create_product_keeps_price_in_minor_units(commerce):
    seller = await new_seller(commerce)

    product = await new_product(commerce, seller["id"], price=1_999, currency="EUR", stock=0)

    assert product["price"] == {"amount": 1_999, "currency": "EUR"}
    assert product["stock"] == 0
    assert product["seller"] == {"id": seller["id"]}


async def test_product_errors_have_codes(commerce):
    seller = await new_seller(commerce)

    def product(**changes):
        base = {
            "sellerId": seller["id"],
            "name": "Thing",
            "price": {"amount": 100, "currency": "USD"},
            "stock": 1,
        }
        return {"input": {**base, **changes}}

    cases = [
        (product(price={"amount": 0, "currency": "USD"}), "BAD_USER_INPUT"),
        (product(price={"amount": -1, "currency": "USD"}), "BAD_USER_INPUT"),
        (product(price={"amount": 100, "currency": "DOGE"}), "BAD_USER_INPUT"),
        (product(stock=-1), "BAD_USER_INPUT"),
        (product(name=" "), "BAD_USER_INPUT"),
        (product(sellerId="nope"), "BAD_USER_INPUT"),
        (product(sellerId=new_id()), "NOT_FOUND"),
    ]
    for variables, code in cases:
        body = await commerce.graphql(CREATE_PRODUCT, variables)
        assert error_of(body)["extensions"]["code"] == code, (variables, body)

    listed = await commerce.graphql(
        "query($id: ID!) { seller(id: $id) { products { edges { node { id } } } } }",
        {"id": seller["id"]},
    )
    assert listed["data"]["seller"]["products"]["edges"] == []


async def test_seller_products_page_oldest_first(commerce):
    seller = await new_seller(commerce)
    made = [(await new_product(commerce, seller["id"], name=f"P{i}"))["id"] for i in range(5)]
    query = """
    query($id: ID!, $after: String) {
      seller(id: $id) {
        products(first: 2, after: $after) {
          edges { node { id } }
          pageInfo { hasNextPage endCursor }
        }
      }
    }
    """

    seen: list[str] = []
    after = None
    while True:
        body = await commerce.graphql(query, {"id": seller["id"], "after": after})
        connection = body["data"]["seller"]["products"]
        seen += [edge["node"]["id"] for edge in connection["edges"]]
        if not connection["pageInfo"]["hasNextPage"]:
            break
        after = connection["pageInfo"]["endCursor"]

    assert seen == made


async def test_root_products_connection_and_missing_lookups(commerce):
    seller = await new_seller(commerce)
    product = await new_product(commerce, seller["id"])

    body = await commerce.graphql(
        """
        query($missing: ID!) {
          products(first: 100) { edges { node { id } } }
          product(id: $missing) { id }
          seller(id: $missing) { id }
          order(id: $missing) { id }
        }
        """,
        {"missing": new_id()},
    )

    data = body["data"]
    assert product["id"] in [edge["node"]["id"] for edge in data["products"]["edges"]]
    assert data["product"] is None and data["seller"] is None and data["order"] is None
    bad = await commerce.graphql("{ products(first: 0) { edges { cursor } } }")
    assert bad["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
