"""commerce's GraphQL input types."""

from __future__ import annotations

import strawberry

from subgraphs.commerce.enums import OrderStatus
from subgraphs.kernel.scalars import Long


@strawberry.input
class RegisterSellerInput:
    user_id: strawberry.ID | None = strawberry.field(
        default=None,
        description=(
            "Administrators only: open the shop for this user (a UUID). Everyone else omits it "
            "(or gives their own id): the shop is the signed-in user's."
        ),
    )
    display_name: str = strawberry.field(description="1 to 80 characters after trimming.")


@strawberry.input(description="An amount in minor units of an ISO 4217 currency.")
class PriceInput:
    amount: Long = strawberry.field(description="Minor units, > 0.")
    currency: str = strawberry.field(description="ISO 4217 code, e.g. USD.")


@strawberry.input
class CreateProductInput:
    seller_id: strawberry.ID = strawberry.field(
        description="The shop: the signed-in user's own (administrators: any). Else FORBIDDEN."
    )
    name: str = strawberry.field(description="1 to 120 characters after trimming.")
    description: str = strawberry.field(default="", description="At most 2000 characters.")
    price: PriceInput
    stock: int = strawberry.field(description="Units available, >= 0.")


@strawberry.input
class OrderLineInput:
    product_id: strawberry.ID
    quantity: int = strawberry.field(description="At least 1.")


@strawberry.input
class PlaceOrderInput:
    buyer_id: strawberry.ID | None = strawberry.field(
        default=None,
        description=(
            "Administrators only: order for this user (a UUID). Everyone else omits it (or "
            "gives their own id): the buyer is the signed-in user."
        ),
    )
    lines: list[OrderLineInput] = strawberry.field(
        description="1 to 50 lines, each product once, all priced in one currency."
    )


@strawberry.input
class UpdateOrderStatusInput:
    order_id: strawberry.ID
    status: OrderStatus
