"""commerce's root mutation fields (the kernel commits once all of them succeed)."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from subgraphs.commerce import services
from subgraphs.commerce.access import SELLER_SCOPES
from subgraphs.commerce.inputs import (
    CreateProductInput,
    PlaceOrderInput,
    RegisterSellerInput,
    UpdateOrderStatusInput,
)
from subgraphs.commerce.types import Order, Product, Seller
from subgraphs.kernel.access import acting_user_id
from subgraphs.kernel.context import SubgraphContext


@strawberry.type
class Mutation:
    @strawberry.federation.mutation(
        requires_scopes=[["seller"], ["admin"]],
        description=(
            "Open a shop for the signed-in seller (administrators: for `userId`). Needs the "
            "seller role. One per user: a second is CONFLICT."
        ),
    )
    async def register_seller(
        self, info: Info[SubgraphContext, None], input: RegisterSellerInput
    ) -> Seller:
        viewer = info.context.viewer
        viewer.require_scope(*SELLER_SCOPES)
        requested = str(input.user_id) if input.user_id is not None else None
        seller = await services.register_seller(
            info.context.session,
            user_id=acting_user_id(viewer, requested, field="userId"),
            display_name=input.display_name,
        )
        return Seller.from_model(seller)

    @strawberry.federation.mutation(
        requires_scopes=[["seller"], ["admin"]],
        description=(
            "List a product in the signed-in seller's own shop (administrators: any shop; "
            "someone else's: FORBIDDEN). Price > 0, stock >= 0."
        ),
    )
    async def create_product(
        self, info: Info[SubgraphContext, None], input: CreateProductInput
    ) -> Product:
        info.context.viewer.require_scope(*SELLER_SCOPES)
        product = await services.create_product(
            info.context.session,
            actor=info.context.viewer,
            seller_id=str(input.seller_id),
            name=input.name,
            description=input.description,
            price_amount=input.price.amount,
            price_currency=input.price.currency,
            stock=input.stock,
        )
        return Product.from_model(product)

    @strawberry.federation.mutation(
        authenticated=True,
        description=(
            "The signed-in user orders products (administrators: for `buyerId`): all or "
            "nothing. Unknown product: NOT_FOUND; mixed currencies: BAD_USER_INPUT; not enough "
            "stock: CONFLICT naming the product."
        ),
    )
    async def place_order(self, info: Info[SubgraphContext, None], input: PlaceOrderInput) -> Order:
        requested = str(input.buyer_id) if input.buyer_id is not None else None
        order = await services.place_order(
            info.context.session,
            buyer_id=acting_user_id(info.context.viewer, requested, field="buyerId"),
            lines=[
                services.LineRequest(product_id=str(line.product_id), quantity=line.quantity)
                for line in input.lines
            ],
        )
        return Order.from_model(order)

    @strawberry.federation.mutation(
        authenticated=True,
        description=(
            "Move an order along PENDING -> PAID -> SHIPPED -> DELIVERED, or cancel it before "
            "it ships (its items go back in stock). Any other move: CONFLICT. The order's "
            "sellers and administrators make any move; its buyer and support agents may only "
            "cancel; anyone else: FORBIDDEN."
        ),
    )
    async def update_order_status(
        self, info: Info[SubgraphContext, None], input: UpdateOrderStatusInput
    ) -> Order:
        order = await services.update_order_status(
            info.context.session,
            actor=info.context.viewer,
            order_id=str(input.order_id),
            status=input.status,
        )
        return Order.from_model(order)
