"""GraphQL documents and helpers shared by commerce's tests."""

from __future__ import annotations

import uuid
from typing import Any

from subgraphs.kernel.testing import RunningSubgraph

REGISTER_SELLER = """
mutation($input: RegisterSellerInput!) {
  registerSeller(input: $input) { id displayName createdAt user { id } }
}
"""

CREATE_PRODUCT = """
mutation($input: CreateProductInput!) {
  createProduct(input: $input) {
    id name description stock createdAt price { amount currency } seller { id }
  }
}
"""

PLACE_ORDER = """
mutation($input: PlaceOrderInput!) {
  placeOrder(input: $input) {
    id status createdAt buyer { id } total { amount currency }
    lines { quantity unitPrice { amount currency } subtotal { amount currency }
            product { id stock } }
  }
}
"""

UPDATE_STATUS = """
mutation($input: UpdateOrderStatusInput!) {
  updateOrderStatus(input: $input) { id status }
}
"""


def new_id() -> str:
    return str(uuid.uuid4())


async def ok(commerce: RunningSubgraph, query: str, variables: dict[str, Any]) -> Any:
    body = await commerce.graphql(query, variables)
    assert "errors" not in body, body
    [value] = body["data"].values()
    return value


def error_of(body: dict[str, Any]) -> dict[str, Any]:
    assert body["data"] is None, body
    [error] = body["errors"]
    found: dict[str, Any] = error
    return found


async def new_seller(commerce: RunningSubgraph, name: str = "A Shop") -> Any:
    return await ok(commerce, REGISTER_SELLER, {"input": {"userId": new_id(), "displayName": name}})


async def new_product(
    commerce: RunningSubgraph,
    seller_id: str,
    *,
    price: int = 1_000,
    currency: str = "USD",
    stock: int = 10,
    name: str = "Widget",
) -> Any:
    return await ok(
        commerce,
        CREATE_PRODUCT,
        {
            "input": {
                "sellerId": seller_id,
                "name": name,
                "description": "A useful thing.",
                "price": {"amount": price, "currency": currency},
                "stock": stock,
            }
        },
    )


async def place(
    commerce: RunningSubgraph, buyer_id: str, lines: list[tuple[str, int]]
) -> dict[str, Any]:
    return await commerce.graphql(
        PLACE_ORDER,
        {
            "input": {
                "buyerId": buyer_id,
                "lines": [{"productId": pid, "quantity": qty} for pid, qty in lines],
            }
        },
    )


async def stock_of(commerce: RunningSubgraph, product_id: str) -> int:
    body = await commerce.graphql(
        "query($id: ID!) { product(id: $id) { stock } }", {"id": product_id}
    )
    stock: int = body["data"]["product"]["stock"]
    return stock
