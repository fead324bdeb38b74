"""commerce's GraphQL types. `Seller`, `Product` and `Order` are owned here and resolved by
reference through loaders; `User` (owned by identity) is extended with `orders` and `seller`.

Access (issue 4, rules in `access.py`): the catalogue is public; `Order` is `@authenticated` and
every way to an order (`Query.order`, `User.orders`, entity references) checks that the viewer
is its buyer, one of its sellers, or staff, also when the router is bypassed."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.types import Info

from subgraphs.commerce import models, services
from subgraphs.commerce.access import ORDER_STAFF, check_order_visible
from subgraphs.commerce.enums import OrderStatus
from subgraphs.commerce.loaders import (
    lines_by_order_id,
    order_by_id,
    orders_page_by_buyer_id,
    product_by_id,
    seller_by_id,
    seller_by_user_id,
)
from subgraphs.kernel.access import require_owner_or_staff
from subgraphs.kernel.context import SubgraphContext
from subgraphs.kernel.loaders import PageKey
from subgraphs.kernel.pagination import Connection
from subgraphs.kernel.scalars import Money


@strawberry.federation.type(keys=["id"])
class User:
    id: strawberry.ID

    @strawberry.federation.field(
        authenticated=True,
        description=(
            "Orders the user placed, newest first. Only the user themself and staff (support "
            "agents, administrators): anyone else gets null and FORBIDDEN."
        ),
    )
    async def orders(
        self,
        info: Info[SubgraphContext, None],
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Order] | None:
        require_owner_or_staff(
            info.context.viewer, str(self.id), staff=ORDER_STAFF, what="this user's orders"
        )
        key = PageKey(parent_id=str(self.id), first=first, after=after)
        page = await info.context.loaders.get(orders_page_by_buyer_id).load(key)
        return Connection.from_page(page, Order.from_model)

    @strawberry.field(description="The user's shop, or null when they do not sell.")
    async def seller(self, info: Info[SubgraphContext, None]) -> Seller | None:
        found = await info.context.loaders.get(seller_by_user_id).load(str(self.id))
        return Seller.from_model(found) if found is not None else None


@strawberry.federation.type(keys=["id"], description="A user's shop on the marketplace.")
class Seller:
    id: strawberry.ID
    display_name: str
    created_at: datetime
    user_id: strawberry.Private[str]

    @strawberry.field(description="The user who runs the shop.")
    def user(self) -> User:
        return User(id=strawberry.ID(self.user_id))

    @strawberry.field(description="The shop's products, oldest first.")
    async def products(
        self,
        info: Info[SubgraphContext, None],
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Product]:
        page = await services.list_seller_products(
            info.context.session, seller_id=str(self.id), first=first, after=after
        )
        return Connection.from_page(page, Product.from_model)

    @classmethod
    def from_model(cls, seller: models.Seller) -> Seller:
        return cls(
            id=strawberry.ID(seller.id),
            display_name=seller.display_name,
            created_at=seller.created_at,
            user_id=seller.user_id,
        )

    @classmethod
    async def resolve_reference(
        cls, info: Info[SubgraphContext, None], id: strawberry.ID
    ) -> Seller | None:
        seller = await info.context.loaders.get(seller_by_id).load(str(id))
        return cls.from_model(seller) if seller is not None else None


@strawberry.federation.type(keys=["id"], description="Something a seller offers.")
class Product:
    id: strawberry.ID
    name: str
    description: str
    price: Money
    stock: int = strawberry.field(description="Units available to order now.")
    created_at: datetime
    seller_id: strawberry.Private[str]

    @strawberry.field(description="Who sells it.")
    async def seller(self, info: Info[SubgraphContext, None]) -> Seller:
        seller = await info.context.loaders.get(seller_by_id).load(self.seller_id)
        if seller is None:  # the foreign key makes this impossible
            raise LookupError(f"seller {self.seller_id} of product {self.id} is missing")
        return Seller.from_model(seller)

    @classmethod
    def from_model(cls, product: models.Product) -> Product:
        return cls(
            id=strawberry.ID(product.id),
            name=product.name,
            description=product.description,
            price=Money.of(product.price_amount, product.price_currency),
            stock=product.stock,
            created_at=product.created_at,
            seller_id=product.seller_id,
        )

    @classmethod
    async def resolve_reference(
        cls, info: Info[SubgraphContext, None], id: strawberry.ID
    ) -> Product | None:
        product = await info.context.loaders.get(product_by_id).load(str(id))
        return cls.from_model(product) if product is not None else None


@strawberry.type(description="One product on an order, priced when the order was placed.")
class OrderLine:
    quantity: int
    unit_price: Money
    subtotal: Money
    product_id: strawberry.Private[str]

    @strawberry.field
    async def product(self, info: Info[SubgraphContext, None]) -> Product:
        product = await info.context.loaders.get(product_by_id).load(self.product_id)
        if product is None:  # the foreign key makes this impossible
            raise LookupError(f"product {self.product_id} of an order line is missing")
        return Product.from_model(product)

    @classmethod
    def from_model(cls, line: models.OrderLine) -> OrderLine:
        return cls(
            quantity=line.quantity,
            unit_price=Money.of(line.unit_price_amount, line.currency),
            subtotal=Money.of(line.subtotal_amount, line.currency),
            product_id=line.product_id,
        )


@strawberry.federation.type(
    keys=["id"],
    authenticated=True,
    description=(
        "A purchase by one buyer. Seen by the buyer, the sellers of its products and staff "
        "(support agents, administrators); anyone else: FORBIDDEN."
    ),
)
class Order:
    id: strawberry.ID
    total: Money = strawberry.field(description="The sum of the line subtotals.")
    status: OrderStatus
    created_at: datetime
    buyer_id: strawberry.Private[str]

    @strawberry.field(description="Who placed the order.")
    def buyer(self) -> User:
        return User(id=strawberry.ID(self.buyer_id))

    @strawberry.field(description="The order's lines, as the buyer listed them.")
    async def lines(self, info: Info[SubgraphContext, None]) -> list[OrderLine]:
        rows = await info.context.loaders.get(lines_by_order_id).load(str(self.id))
        return [OrderLine.from_model(row) for row in rows]

    @classmethod
    def from_model(cls, order: models.Order) -> Order:
        return cls(
            id=strawberry.ID(order.id),
            total=Money.of(order.total_amount, order.currency),
            status=order.status,
            created_at=order.created_at,
            buyer_id=order.buyer_id,
        )

    @classmethod
    async def resolve_reference(
        cls, info: Info[SubgraphContext, None], id: strawberry.ID
    ) -> Order | None:
        order = await info.context.loaders.get(order_by_id).load(str(id))
        if order is None:
            return None
        await check_order_visible(info.context.session, info.context.viewer, order)
        return cls.from_model(order)
