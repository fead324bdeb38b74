"""commerce's domain errors."""

from __future__ import annotations

from subgraphs.kernel.errors import BadUserInput, Conflict, NotFound


class InvalidPrice(BadUserInput):
    def __init__(self, reason: str) -> None:
        super().__init__(f"Invalid price: {reason}.", field="price")


class InvalidStock(BadUserInput):
    def __init__(self, reason: str) -> None:
        super().__init__(f"Invalid stock: {reason}.", field="stock")


class InvalidOrderLines(BadUserInput):
    def __init__(self, reason: str) -> None:
        super().__init__(f"Invalid order lines: {reason}.", field="lines")


class MixedCurrencies(BadUserInput):
    def __init__(self, currencies: list[str]) -> None:
        super().__init__(
            f"All lines of an order must share one currency, got {', '.join(currencies)}.",
            field="lines",
        )


class SellerNotFound(NotFound):
    def __init__(self, seller_id: str) -> None:
        super().__init__(f"Seller {seller_id} does not exist.", field="sellerId")


class ProductNotFound(NotFound):
    def __init__(self, product_id: str) -> None:
        super().__init__(
            f"Product {product_id} does not exist.", field="productId", productId=product_id
        )


class OrderNotFound(NotFound):
    def __init__(self, order_id: str) -> None:
        super().__init__(f"Order {order_id} does not exist.", field="orderId")


class AlreadySeller(Conflict):
    def __init__(self, user_id: str) -> None:
        super().__init__(f"User {user_id} is already a seller.", field="userId")


class OutOfStock(Conflict):
    def __init__(self, product_id: str, wanted: int, available: int) -> None:
        super().__init__(
            f"Product {product_id} has {available} in stock, {wanted} wanted.",
            field="quantity",
            productId=product_id,
        )


class IllegalStatusTransition(Conflict):
    def __init__(self, order_id: str, current: str, wanted: str) -> None:
        super().__init__(f"Order {order_id} cannot go from {current} to {wanted}.", field="status")
