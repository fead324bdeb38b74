"""commerce over real HTTP: placing orders all-or-nothing, captured prices, the status table."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from subgraphs.commerce.models import Order, OrderLine, Product
from tests.subgraphs.commerce.commerce_client import (
    UPDATE_STATUS,
    error_of,
    new_id,
    new_product,
    new_seller,
    place,
    stock_of,
)


async def count_rows(commerce, model) -> int:
    async with commerce.database.sessions() as session:
        return await session.scalar(select(func.count()).select_from(model))


async def test_place_order_takes_stock_captures_prices_and_totals_the_lines(commerce):
    seller = await new_seller(commerce)
    mug = await new_product(commerce, seller["id"], price=2_400, stock=5)
    candle = await new_product(commerce, seller["id"], price=1_250, stock=10)
    buyer = new_id()

    body = await place(commerce, buyer, [(mug["id"], 2), (candle["id"], 3)])

    assert "errors" not in body, body
    order = body["data"]["placeOrder"]
    assert order["status"] == "PENDING"
    assert order["buyer"] == {"id": buyer}
    assert order["total"] == {"amount": 2 * 2_400 + 3 * 1_250, "currency": "USD"}
    assert [line["subtotal"]["amount"] for line in order["lines"]] == [4_800, 3_750]
    assert [line["unitPrice"]["amount"] for line in order["lines"]] == [2_400, 1_250]
    assert [line["product"]["id"] for line in order["lines"]] == [mug["id"], candle["id"]]
    assert await stock_of(commerce, mug["id"]) == 3
    assert await stock_of(commerce, candle["id"]) == 7


async def test_failed_orders_change_no_stock_and_write_no_rows(commerce):
    seller = await new_seller(commerce)
    plenty = await new_product(commerce, seller["id"], stock=50)
    scarce = await new_product(commerce, seller["id"], stock=1)
    euro = await new_product(commerce, seller["id"], currency="EUR", stock=50)
    missing = new_id()
    orders_before = await count_rows(commerce, Order)
    lines_before = await count_rows(commerce, OrderLine)

    cases = [
        ([(plenty["id"], 5), (scarce["id"], 2)], "CONFLICT", scarce["id"]),
        ([(plenty["id"], 5), (missing, 1)], "NOT_FOUND", missing),
        ([(plenty["id"], 5), (euro["id"], 1)], "BAD_USER_INPUT", "one currency"),
        ([(plenty["id"], 0)], "BAD_USER_INPUT", plenty["id"]),
        ([(plenty["id"], 1), (plenty["id"], 1)], "BAD_USER_INPUT", "more than one line"),
        ([("not-a-uuid", 1)], "BAD_USER_INPUT", "productId"),
        ([], "BAD_USER_INPUT", "at least one line"),
    ]
    for lines, code, mentioned in cases:
        error = error_of(await place(commerce, new_id(), lines))
        assert error["extensions"]["code"] == code, (lines, error)
        assert mentioned in error["message"], (lines, error)

    assert (
        error_of(await place(commerce, "bob", [(plenty["id"], 1)]))["extensions"]["code"]
        == "BAD_USER_INPUT"
    )
    assert await stock_of(commerce, plenty["id"]) == 50
    assert await stock_of(commerce, scarce["id"]) == 1
    assert await count_rows(commerce, Order) == orders_before
    assert await count_rows(commerce, OrderLine) == lines_before


async def test_out_of_stock_names_the_product_in_extensions(commerce):
    seller = await new_seller(commerce)
    scarce = await new_product(commerce, seller["id"], stock=2)

    error = error_of(await place(commerce, new_id(), [(scarce["id"], 3)]))

    assert error["extensions"] == {
        "code": "CONFLICT",
        "field": "quantity",
        "productId": scarce["id"],
    }


async def test_price_changes_later_do_not_rewrite_an_order(commerce):
    seller = await new_seller(commerce)
    product = await new_product(commerce, seller["id"], price=700)
    body = await place(commerce, new_id(), [(product["id"], 1)])
    order_id = body["data"]["placeOrder"]["id"]
    async with commerce.database.sessions() as session:
        stored = await session.get(Product, product["id"])
        stored.price_amount = 900
        await session.commit()

    again = await commerce.graphql(
        "query($id: ID!) { order(id: $id) { total { amount } lines { unitPrice { amount } } } }",
        {"id": order_id},
    )

    assert again["data"]["order"] == {
        "total": {"amount": 700},
        "lines": [{"unitPrice": {"amount": 700}}],
    }


async def order_of(commerce, stock: int = 10, quantity: int = 4) -> tuple[str, str]:
    seller = await new_seller(commerce)
    product = await new_product(commerce, seller["id"], stock=stock)
    body = await place(commerce, new_id(), [(product["id"], quantity)])
    return body["data"]["placeOrder"]["id"], product["id"]


async def move(commerce, order_id: str, status: str) -> dict:
    return await commerce.graphql(UPDATE_STATUS, {"input": {"orderId": order_id, "status": status}})


async def test_an_order_walks_its_lifecycle_to_delivered(commerce):
    order_id, _ = await order_of(commerce)

    for status in ["PAID", "SHIPPED", "DELIVERED"]:
        assert (await move(commerce, order_id, status))["data"]["updateOrderStatus"] == {
            "id": order_id,
            "status": status,
        }


@pytest.mark.parametrize(
    ("path", "illegal"),
    [
        ([], "SHIPPED"),
        ([], "DELIVERED"),
        ([], "PENDING"),
        (["PAID"], "PENDING"),
        (["PAID", "SHIPPED"], "CANCELLED"),
        (["PAID", "SHIPPED", "DELIVERED"], "CANCELLED"),
        (["CANCELLED"], "PAID"),
    ],
)
async def test_illegal_transitions_are_conflicts_and_change_nothing(commerce, path, illegal):
    order_id, _ = await order_of(commerce)
    for status in path:
        await move(commerce, order_id, status)

    error = error_of(await move(commerce, order_id, illegal))

    assert error["extensions"]["code"] == "CONFLICT"
    current = path[-1] if path else "PENDING"
    assert f"from {current} to {illegal}" in error["message"]
    body = await commerce.graphql("query($id: ID!) { order(id: $id) { status } }", {"id": order_id})
    assert body["data"]["order"]["status"] == current


async def test_cancelling_before_shipment_puts_items_back_in_stock(commerce):
    order_id, product_id = await order_of(commerce, stock=10, quantity=4)
    assert await stock_of(commerce, product_id) == 6
    await move(commerce, order_id, "PAID")

    await move(commerce, order_id, "CANCELLED")

    assert await stock_of(commerce, product_id) == 10


async def test_unknown_or_malformed_order_ids(commerce):
    assert error_of(await move(commerce, new_id(), "PAID"))["extensions"]["code"] == "NOT_FOUND"
    assert error_of(await move(commerce, "x", "PAID"))["extensions"]["code"] == "BAD_USER_INPUT"
    body = await commerce.graphql(UPDATE_STATUS, {"input": {"orderId": new_id(), "status": "LOST"}})
    assert body["errors"]  # not an OrderStatus value: rejected before any resolver runs


async def test_a_failing_second_mutation_undoes_the_order_placed_before_it(commerce):
    # A request with two mutations is one unit of work.
    seller = await new_seller(commerce)
    product = await new_product(commerce, seller["id"], stock=3)
    body = await commerce.graphql(
        """
        mutation($ok: PlaceOrderInput!, $bad: CreateProductInput!) {
          placeOrder(input: $ok) { id }
          createProduct(input: $bad) { id }
        }
        """,
        {
            "ok": {"buyerId": new_id(), "lines": [{"productId": product["id"], "quantity": 2}]},
            "bad": {
                "sellerId": seller["id"],
                "name": "Bad",
                "price": {"amount": 0, "currency": "USD"},
                "stock": 1,
            },
        },
    )

    assert body["data"] is None
    assert await stock_of(commerce, product["id"]) == 3
