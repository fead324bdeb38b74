"""commerce's root mutation fields (the kernel commits once all of them succeed)."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from subgraphs.commerce import services
from subgraphs.commerce.inputs import (
    CreateProductInput,
    PlaceOrderInput,
    RegisterSellerInput,
    UpdateOrderStatusInput,
)
from subgraphs.commerce.types import Order, Product, Seller
from subgraphs.kernel.context import SubgraphContext


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Open a shop for a user. One per user: a second is CONFLICT.")
    async def register_seller(
        self, info: Info[SubgraphContext, None], input: RegisterSellerInput
    ) -> Seller:
        seller = await services.register_seller(
            info.context.session, user_id=str(input.user_id), display_name=input.display_name
        )
        return Seller.from_model(seller)

    @strawberry.mutation(description="List a product (price > 0, stock >= 0).")
    async def create_product(
        self, info: Info[SubgraphContext, None], input: CreateProductInput
    ) -> Product:
        product = await services.create_product(
            info.context.session,
            seller_id=str(input.seller_id),
            name=input.name,
            description=input.description,
            price_amount=input.price.amount,
            price_currency=input.price.currency,
            stock=input.stock,
        )
        return Product.from_model(product)

    @strawberry.mutation(
        description=(
            "Order products: all or nothing. Unknown product: NOT_FOUND; mixed currencies: "
            "BAD_USER_INPUT; not enough stock: CONFLICT naming the product."
        )
    )
    async def place_order(self, info: Info[SubgraphContext, None], input: PlaceOrderInput) -> Order:
        order = await services.place_order(
            info.context.session,
            buyer_id=str(input.buyer_id),
            lines=[
                services.LineRequest(product_id=str(line.product_id), quantity=line.quantity)
                for line in input.lines
            ],
        )
        return Order.from_model(order)

    @strawberry.mutation(
        description=(
            "Move an order along PENDING -> PAID -> SHIPPED -> DELIVERED, or cancel it before "
            "it ships (its items go back in stock). Any other move: CONFLICT."
        )
    )
    async def update_order_status(
        self, info: Info[SubgraphContext, None], input: UpdateOrderStatusInput
    ) -> Order:
        order = await services.update_order_status(
            info.context.session, order_id=str(input.order_id), status=input.status
        )
        return Order.from_model(order)
