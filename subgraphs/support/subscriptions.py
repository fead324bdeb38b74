"""support's root subscription fields: live notifications over the event bus (docs/events.md)."""

from __future__ import annotations

from collections.abc import AsyncGenerator

import strawberry
from strawberry.types import Info

from subgraphs.kernel.context import SubgraphContext
from subgraphs.support.runtime import notifications_channel
from subgraphs.support.types import Notification


@strawberry.type
class Subscription:
    @strawberry.federation.field(
        is_subscription=True,
        authenticated=True,
        description=(
            "Each new notification of the signed-in user, as it arrives (only their own: the "
            "channel is chosen from the verified token, never from an argument)."
        ),
    )
    async def notification_added(
        self, info: Info[SubgraphContext, None]
    ) -> AsyncGenerator[Notification, None]:
        user_id = info.context.viewer.require_user_id()
        async with info.context.events.subscribe(notifications_channel(user_id)) as messages:
            async for message in messages:
                if message.get("userId") == user_id:
                    yield Notification.from_message(message)
