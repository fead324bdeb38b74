"""Payments' root query fields (thin: decode arguments, check access, call a service)."""

from __future__ import annotations

import strawberry
from sqlalchemy import select
from strawberry.types import Info

from subgraphs.kernel.access import acting_user_id
from subgraphs.kernel.context import SubgraphContext
from subgraphs.kernel.pagination import Connection, paginate
from subgraphs.money.payments import analytics, methods, models
from subgraphs.money.payments.inputs import PaymentAnalyticsInput
from subgraphs.money.payments.loaders import payment_by_id
from subgraphs.money.payments.types import (
    Payment,
    PaymentAnalyticsRow,
    PaymentMethod,
    check_payment,
)


@strawberry.type
class PaymentsQuery:
    @strawberry.federation.field(
        authenticated=True,
        description=(
            "A payment by id, or null when there is none. Its payer and the seller it paid see "
            "it; anyone else FORBIDDEN (administrators see every payment)."
        ),
    )
    async def payment(self, info: Info[SubgraphContext, None], id: strawberry.ID) -> Payment | None:
        info.context.viewer.require_user_id()
        found = await info.context.loaders.get(payment_by_id).load(str(id))
        if found is None:
            return None
        check_payment(info.context.viewer, found)
        return Payment.from_model(found)

    @strawberry.federation.field(
        authenticated=True,
        description=(
            "The payment methods (not removed) of the signed-in user, oldest first; "
            "administrators may name any `ownerId`."
        ),
    )
    async def payment_methods(
        self, info: Info[SubgraphContext, None], owner_id: strawberry.ID | None = None
    ) -> list[PaymentMethod]:
        owner = acting_user_id(
            info.context.viewer, None if owner_id is None else str(owner_id), field="ownerId"
        )
        rows = await methods.list_methods_of_owners(info.context.session, owner_ids=[owner])
        return [PaymentMethod.from_model(row) for row in rows]

    @strawberry.federation.field(
        authenticated=True,
        description=(
            "The payments of the signed-in user (administrators: of `payerId`), newest first, "
            "optionally only those in `status`."
        ),
    )
    async def payments(
        self,
        info: Info[SubgraphContext, None],
        payer_id: strawberry.ID | None = None,
        status: models.PaymentStatus | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Payment]:
        payer = acting_user_id(
            info.context.viewer, None if payer_id is None else str(payer_id), field="payerId"
        )
        statement = select(models.Payment).where(models.Payment.payer_id == payer)
        if status is not None:
            statement = statement.where(models.Payment.status == status)
        page = await paginate(
            info.context.session, statement, first=first, after=after, descending=True
        )
        return Connection.from_page(page, Payment.from_model)

    @strawberry.federation.field(
        requires_scopes=[["seller"], ["admin"]],
        description=(
            "Payments by UTC day, method and currency: counts, captured volume, refunds, and "
            "success and refund rates as exact fractions. Administrators: every payment; "
            "sellers: order payments made to them."
        ),
    )
    async def payment_analytics(
        self, info: Info[SubgraphContext, None], input: PaymentAnalyticsInput
    ) -> list[PaymentAnalyticsRow]:
        rows = await analytics.payment_analytics(
            info.context.session,
            viewer=info.context.viewer,
            since=input.since,
            until=input.until,
            currency=input.currency,
        )
        return [PaymentAnalyticsRow.from_row(row) for row in rows]
