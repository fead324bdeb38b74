"""Building the GraphQL view of a user's notification settings (shared by query and mutations)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import HTTPConnection

from subgraphs.support import notifications
from subgraphs.support.quiet_hours import format_clock
from subgraphs.support.types import (
    NotificationPreference,
    NotificationSettings,
    PushSubscription,
    QuietHours,
)


async def settings_view(
    session: AsyncSession, request: HTTPConnection, user_id: str
) -> NotificationSettings:
    preferences = await notifications.preferences_of(session, user_id=user_id)
    settings = await notifications.settings_of(session, user_id=user_id)
    browsers = await notifications.push_subscriptions_of(session, user_id=user_id)
    quiet = None
    if settings.quiet_start_minute is not None and settings.quiet_end_minute is not None:
        quiet = QuietHours(
            start=format_clock(settings.quiet_start_minute),
            end=format_clock(settings.quiet_end_minute),
            timezone=settings.timezone,
        )
    notifier = getattr(request.app.state, "notifier", None)
    vapid = getattr(notifier, "vapid", None)
    return NotificationSettings(
        preferences=[
            NotificationPreference(category=category, channel=channel, enabled=enabled)
            for (category, channel), enabled in preferences.items()
        ],
        email=settings.email,
        phone_number=settings.phone_number,
        quiet_hours=quiet,
        push_subscriptions=[PushSubscription.from_model(browser) for browser in browsers],
        push_public_key=vapid.application_server_key if vapid is not None else None,
    )
