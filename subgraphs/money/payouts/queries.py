"""Payouts' root query fields."""

from __future__ import annotations

import strawberry
from sqlalchemy import select
from strawberry.types import Info

from subgraphs.kernel.access import acting_user_id, require_owner_or_staff
from subgraphs.kernel.context import SubgraphContext
from subgraphs.kernel.pagination import Connection, paginate
from subgraphs.money.payouts import models
from subgraphs.money.payouts.loaders import payout_by_id
from subgraphs.money.payouts.types import Payout


@strawberry.type
class PayoutsQuery:
    @strawberry.federation.field(
        authenticated=True,
        description=(
            "A payout by id, or null when there is none. Its owner sees it; anyone else "
            "FORBIDDEN (administrators see every payout)."
        ),
    )
    async def payout(self, info: Info[SubgraphContext, None], id: strawberry.ID) -> Payout | None:
        info.context.viewer.require_user_id()
        found = await info.context.loaders.get(payout_by_id).load(str(id))
        if found is None:
            return None
        require_owner_or_staff(info.context.viewer, found.owner_id, what=f"payout {found.id}")
        return Payout.from_model(found)

    @strawberry.federation.field(
        authenticated=True,
        description=(
            "The payouts of the signed-in user (administrators: of `ownerId`), newest first, "
            "optionally only those in `status`."
        ),
    )
    async def payouts(
        self,
        info: Info[SubgraphContext, None],
        owner_id: strawberry.ID | None = None,
        status: models.PayoutStatus | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Payout]:
        owner = acting_user_id(
            info.context.viewer, None if owner_id is None else str(owner_id), field="ownerId"
        )
        statement = select(models.Payout).where(models.Payout.owner_id == owner)
        if status is not None:
            statement = statement.where(models.Payout.status == status)
        page = await paginate(
            info.context.session, statement, first=first, after=after, descending=True
        )
        return Connection.from_page(page, Payout.from_model)
