"""observability's root subscription fields: live alerts over the event bus (docs/events.md)."""

from __future__ import annotations

from collections.abc import AsyncGenerator

import strawberry
from strawberry.types import Info

from subgraphs.kernel.context import SubgraphContext
from subgraphs.observability.enums import AlertSeverity
from subgraphs.observability.queries import OPERATORS
from subgraphs.observability.runtime import ALERTS_CHANNEL
from subgraphs.observability.types import Alert


@strawberry.type
class Subscription:
    @strawberry.federation.field(
        is_subscription=True,
        requires_scopes=[["operator"], ["admin"]],
        description=(
            "Operators and administrators: each alert at least `minSeverity` as a rule raises "
            "it, repeats it (count up) or sees its problem end (RESOLVED), and as operators "
            "acknowledge or resolve it."
        ),
    )
    async def alert_raised(
        self, info: Info[SubgraphContext, None], min_severity: AlertSeverity = AlertSeverity.INFO
    ) -> AsyncGenerator[Alert, None]:
        info.context.viewer.require_scope(*OPERATORS)
        async with info.context.events.subscribe(ALERTS_CHANNEL) as messages:
            async for message in messages:
                try:
                    severity = AlertSeverity(message.get("severity"))
                except ValueError:
                    continue
                if severity.rank >= min_severity.rank:
                    yield Alert.from_message(message)
