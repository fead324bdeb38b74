"""observability's root mutation fields: operators acknowledge and resolve alerts. Each change
is recorded as an `observability.alert.*` event with it, so it reaches `alertRaised`
subscribers once committed."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from subgraphs.kernel.context import SubgraphContext
from subgraphs.observability import alerts
from subgraphs.observability.inputs import AcknowledgeAlertInput, ResolveAlertInput
from subgraphs.observability.queries import OPERATORS
from subgraphs.observability.types import Alert


@strawberry.type
class Mutation:
    @strawberry.federation.mutation(
        requires_scopes=[["operator"], ["admin"]],
        description=(
            "Operators and administrators: take an alert on (OPEN -> ACKNOWLEDGED; a resolved "
            "alert is CONFLICT)."
        ),
    )
    async def acknowledge_alert(
        self, info: Info[SubgraphContext, None], input: AcknowledgeAlertInput
    ) -> Alert:
        info.context.viewer.require_scope(*OPERATORS)
        alert = await alerts.acknowledge_alert(
            info.context.session,
            alert_id=str(input.id),
            actor_id=info.context.viewer.require_user_id(),
        )
        alerts.record_alert_change(info.context.session, alert, "acknowledged")
        return Alert.from_model(alert)

    @strawberry.federation.mutation(
        requires_scopes=[["operator"], ["admin"]],
        description=(
            "Operators and administrators: close an alert (a repeat of its problem opens a new "
            "one; already resolved: CONFLICT)."
        ),
    )
    async def resolve_alert(
        self, info: Info[SubgraphContext, None], input: ResolveAlertInput
    ) -> Alert:
        info.context.viewer.require_scope(*OPERATORS)
        alert = await alerts.resolve_alert(
            info.context.session,
            alert_id=str(input.id),
            actor_id=info.context.viewer.require_user_id(),
        )
        alerts.record_alert_change(info.context.session, alert, "resolved")
        return Alert.from_model(alert)
