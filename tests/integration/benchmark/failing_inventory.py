"""An inventory subgraph whose stock ledger fails for one product: field errors to compare."""

from __future__ import annotations

import strawberry
from strawberry.asgi import GraphQL

from tests.fixtures.benchmark.data import rows_by

FAILING_UPC = "2"
FAILURE_MESSAGE = f"stock ledger unavailable for product {FAILING_UPC}"


@strawberry.federation.type(keys=["upc"])
class Product:
    upc: str
    weight: int | None = strawberry.federation.field(external=True)
    price: int | None = strawberry.federation.field(external=True)

    @strawberry.field
    def in_stock(self) -> bool | None:
        if self.upc == FAILING_UPC:
            raise RuntimeError(FAILURE_MESSAGE)
        in_stock: bool = rows_by("inventory", "upc")[self.upc]["inStock"]
        return in_stock

    @strawberry.federation.field(requires=["price weight"])
    def shipping_estimate(self) -> int | None:
        if self.price is None or self.weight is None:
            return None
        return 0 if self.price > 1000 else int(self.weight / 2)

    @classmethod
    def resolve_reference(
        cls, upc: str, price: int | None = None, weight: int | None = None
    ) -> Product:
        return cls(upc=upc, price=price, weight=weight)


schema = strawberry.federation.Schema(types=[Product], federation_version="2.3")


def failing_inventory_app() -> GraphQL[None, None]:
    return GraphQL(schema, graphql_ide=None)
