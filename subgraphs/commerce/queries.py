"""commerce's root query fields (thin: decode arguments, call a loader or service, map)."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from subgraphs.commerce import services
from subgraphs.commerce.access import check_order_visible
from subgraphs.commerce.loaders import order_by_id, product_by_id, seller_by_id
from subgraphs.commerce.types import Order, Product, Seller
from subgraphs.kernel.context import SubgraphContext
from subgraphs.kernel.pagination import Connection


@strawberry.type
class Query:
    @strawberry.field(description="A product by id, or null when there is none (public).")
    async def product(self, info: Info[SubgraphContext, None], id: strawberry.ID) -> Product | None:
        found = await info.context.loaders.get(product_by_id).load(str(id))
        return Product.from_model(found) if found is not None else None

    @strawberry.field(description="Every product, oldest first (the public catalogue).")
    async def products(
        self,
        info: Info[SubgraphContext, None],
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Product]:
        page = await services.list_products(info.context.session, first=first, after=after)
        return Connection.from_page(page, Product.from_model)

    @strawberry.field(description="A seller by id, or null when there is none (public).")
    async def seller(self, info: Info[SubgraphContext, None], id: strawberry.ID) -> Seller | None:
        found = await info.context.loaders.get(seller_by_id).load(str(id))
        return Seller.from_model(found) if found is not None else None

    @strawberry.federation.field(
        authenticated=True,
        description=(
            "An order by id, or null when there is none. Only its buyer, its sellers and staff "
            "(support agents, administrators): anyone else is FORBIDDEN."
        ),
    )
    async def order(self, info: Info[SubgraphContext, None], id: strawberry.ID) -> Order | None:
        info.context.viewer.require_user_id()
        found = await info.context.loaders.get(order_by_id).load(str(id))
        if found is None:
            return None
        await check_order_visible(info.context.session, info.context.viewer, found)
        return Order.from_model(found)
