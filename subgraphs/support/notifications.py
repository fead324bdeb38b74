"""support's notification logic: the inbox, preferences, contact points, push subscriptions and
the delivery records a new notification starts. Functions take the session and never commit.

Preferences: every (category, channel) pair has a default (`DEFAULT_CHANNELS`); a user's rows
override it. SECURITY notifications always reach the inbox (that pair cannot be switched off).
A new notification is stored for the user; it is listed in their inbox when its category's
IN_APP preference is on, and gets one delivery per enabled outside channel that has somewhere
to go (an email address, a phone number, each registered browser). Non-urgent deliveries
created in quiet hours start HELD until the window ends.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.kernel.db import utcnow
from subgraphs.kernel.errors import BadUserInput, NotFound
from subgraphs.kernel.pagination import Page, paginate
from subgraphs.kernel.push import PushEndpointRefused, check_push_endpoint
from subgraphs.kernel.sms import normalise_phone_number
from subgraphs.kernel.validation import required_text
from subgraphs.support.models import (
    Delivery,
    DeliveryStatus,
    Notification,
    NotificationCategory,
    NotificationChannel,
    NotificationPreference,
    NotificationSettings,
    PushSubscription,
)
from subgraphs.support.quiet_hours import QuietWindow, parse_timezone

Category = NotificationCategory
Channel = NotificationChannel

DEFAULT_CHANNELS: Final[Mapping[Category, frozenset[Channel]]] = {
    Category.SECURITY: frozenset({Channel.IN_APP, Channel.EMAIL, Channel.SMS, Channel.PUSH}),
    Category.PAYMENTS: frozenset({Channel.IN_APP, Channel.EMAIL, Channel.PUSH}),
    Category.ORDERS: frozenset({Channel.IN_APP, Channel.EMAIL, Channel.PUSH}),
    Category.SUPPORT: frozenset({Channel.IN_APP, Channel.EMAIL}),
    Category.SYSTEM: frozenset({Channel.IN_APP}),
}
MANDATORY: Final = frozenset({(Category.SECURITY, Channel.IN_APP)})
OUTSIDE_CHANNELS: Final = (Channel.EMAIL, Channel.SMS, Channel.PUSH)
MAX_TITLE = 200
MAX_BODY = 2000
MAX_PUSH_SUBSCRIPTIONS = 10


class NotificationNotFound(NotFound):
    def __init__(self, notification_id: str) -> None:
        super().__init__(f"There is no notification {notification_id}.", field="id")


# --- preferences --------------------------------------------------------------------------


async def preferences_of(
    session: AsyncSession, *, user_id: str
) -> dict[tuple[Category, Channel], bool]:
    """Every (category, channel) pair with the user's choice or the default."""
    chosen = {
        (row.category, row.channel): row.enabled
        for row in await session.scalars(
            select(NotificationPreference).where(NotificationPreference.user_id == user_id)
        )
    }
    return {
        (category, channel): (category, channel) in MANDATORY
        or chosen.get((category, channel), channel in DEFAULT_CHANNELS[category])
        for category in Category
        for channel in Channel
    }


async def set_preferences(
    session: AsyncSession,
    *,
    user_id: str,
    changes: Sequence[tuple[Category, Channel, bool]],
) -> None:
    """Store the user's choices; turning off a mandatory pair is BAD_USER_INPUT."""
    now = utcnow()
    for category, channel, enabled in changes:
        if not enabled and (category, channel) in MANDATORY:
            raise BadUserInput(
                f"{category.value} notifications always reach the inbox.", field="preferences"
            )
        row = await session.get(NotificationPreference, (user_id, category, channel))
        if row is None:
            session.add(
                NotificationPreference(
                    user_id=user_id,
                    category=category,
                    channel=channel,
                    enabled=enabled,
                    updated_at=now,
                )
            )
        else:
            row.enabled = enabled
            row.updated_at = now
    await session.flush()


# --- contact points and quiet hours -------------------------------------------------------


async def settings_of(session: AsyncSession, *, user_id: str) -> NotificationSettings:
    """The user's settings row, or an unsaved default one (no contacts, no quiet hours)."""
    found = await session.get(NotificationSettings, user_id)
    return found or NotificationSettings(user_id=user_id, timezone="UTC")


def quiet_window(settings: NotificationSettings) -> QuietWindow | None:
    if settings.quiet_start_minute is None or settings.quiet_end_minute is None:
        return None
    return QuietWindow(
        settings.quiet_start_minute, settings.quiet_end_minute, parse_timezone(settings.timezone)
    )


@dataclass(frozen=True, slots=True)
class QuietHoursChange:
    """New quiet hours (`None` window: none at all)."""

    start_minute: int | None
    end_minute: int | None
    timezone: str


_UNCHANGED: Final = object()


async def update_settings(
    session: AsyncSession,
    *,
    user_id: str,
    email: str | object | None = _UNCHANGED,
    phone_number: str | object | None = _UNCHANGED,
    quiet_hours: QuietHoursChange | object | None = _UNCHANGED,
) -> NotificationSettings:
    """Change what is given (`None` clears it); BAD_USER_INPUT for an invalid value."""
    settings = await session.get(NotificationSettings, user_id)
    if settings is None:
        settings = NotificationSettings(user_id=user_id, timezone="UTC")
        session.add(settings)
    if email is not _UNCHANGED:
        settings.email = _email(email) if isinstance(email, str) else None
    if phone_number is not _UNCHANGED:
        settings.phone_number = _phone(phone_number) if isinstance(phone_number, str) else None
    if quiet_hours is not _UNCHANGED:
        if isinstance(quiet_hours, QuietHoursChange):
            try:
                zone = parse_timezone(quiet_hours.timezone)
                if quiet_hours.start_minute is not None and quiet_hours.end_minute is not None:
                    QuietWindow(quiet_hours.start_minute, quiet_hours.end_minute, zone)
            except ValueError as error:
                raise BadUserInput(str(error), field="quietHours") from error
            settings.timezone = zone.key
            settings.quiet_start_minute = quiet_hours.start_minute
            settings.quiet_end_minute = quiet_hours.end_minute
        else:
            settings.quiet_start_minute = settings.quiet_end_minute = None
        await _recheck_held(session, user_id=user_id)
    settings.updated_at = utcnow()
    await session.flush()
    return settings


async def _recheck_held(session: AsyncSession, *, user_id: str) -> None:
    """New quiet hours: the user's held deliveries are due now, so the worker sends them or
    holds them again until the new window ends."""
    await session.execute(
        update(Delivery)
        .where(
            Delivery.status == DeliveryStatus.HELD,
            Delivery.notification_id.in_(
                select(Notification.id).where(Notification.user_id == user_id)
            ),
        )
        .values(next_attempt_at=utcnow())
        .execution_options(synchronize_session=False)
    )


def _email(raw: str) -> str:
    address = required_text(raw, field="email", max_length=320)
    local, at, domain = address.rpartition("@")
    if not at or not local or "." not in domain or any(c.isspace() for c in address):
        raise BadUserInput("That is not an email address.", field="email")
    return address


def _phone(raw: str) -> str:
    try:
        return normalise_phone_number(raw)
    except ValueError as error:
        raise BadUserInput(str(error), field="phoneNumber") from error


# --- push subscriptions -------------------------------------------------------------------


async def register_push_subscription(
    session: AsyncSession,
    *,
    user_id: str,
    endpoint: str,
    p256dh: str,
    auth: str,
    allow_loopback_http: bool = False,
    public_endpoints_only: bool = False,
) -> PushSubscription:
    """Keep a browser's subscription (re-registering an endpoint moves it to this user and
    refreshes its keys). Endpoints are https:// URLs; `allow_loopback_http` (development) also
    accepts http://127.0.0.1 (a local push service); `public_endpoints_only` (production) wants
    a host name resolving only to public addresses (`kernel.push.check_push_endpoint`)."""
    endpoint = required_text(endpoint, field="endpoint", max_length=2048)
    loopback = allow_loopback_http and endpoint.startswith("http://127.0.0.1:")
    if not endpoint.startswith("https://") and not loopback:
        raise BadUserInput("A push endpoint must be an https:// URL.", field="endpoint")
    if public_endpoints_only:
        try:
            await check_push_endpoint(endpoint)
        except PushEndpointRefused as error:
            raise BadUserInput(str(error), field="endpoint") from error
    p256dh = required_text(p256dh, field="p256dh", max_length=128)
    auth = required_text(auth, field="auth", max_length=64)
    found = await session.scalar(
        select(PushSubscription).where(PushSubscription.endpoint == endpoint)
    )
    if found is None:
        count = await session.scalar(
            select(func.count()).where(PushSubscription.user_id == user_id)
        )
        if (count or 0) >= MAX_PUSH_SUBSCRIPTIONS:
            raise BadUserInput(
                f"At most {MAX_PUSH_SUBSCRIPTIONS} browsers may receive push notifications.",
                field="endpoint",
            )
        found = PushSubscription(user_id=user_id, endpoint=endpoint, p256dh=p256dh, auth=auth)
        session.add(found)
    else:
        found.user_id, found.p256dh, found.auth = user_id, p256dh, auth
    await session.flush()
    return found


async def push_subscriptions_of(session: AsyncSession, *, user_id: str) -> list[PushSubscription]:
    return list(
        await session.scalars(
            select(PushSubscription)
            .where(PushSubscription.user_id == user_id)
            .order_by(PushSubscription.created_at, PushSubscription.id)
        )
    )


async def remove_push_subscription(
    session: AsyncSession, *, user_id: str, subscription_id: str
) -> bool:
    found = await session.get(PushSubscription, subscription_id)
    if found is None or found.user_id != user_id:
        return False
    await session.delete(found)
    await session.flush()
    return True


# --- the inbox ----------------------------------------------------------------------------


async def create_notification(
    session: AsyncSession,
    *,
    user_id: str,
    category: Category,
    title: str,
    body: str,
    link: str | None = None,
    urgent: bool = False,
    event_id: str | None = None,
    email_hint: str | None = None,
    ticket_id: str | None = None,
    order_id: str | None = None,
    now: datetime | None = None,
) -> tuple[Notification, list[Delivery]]:
    """Store a notification and start its deliveries per the user's preferences.

    `email_hint` (an address the event carried) is used when the user set no address;
    `ticket_id`/`order_id` name what it is about."""
    now = now or utcnow()
    wanted = await preferences_of(session, user_id=user_id)
    notification = Notification(
        user_id=user_id,
        category=category,
        title=title.strip()[:MAX_TITLE],
        body=body.strip()[:MAX_BODY],
        link=link,
        urgent=urgent,
        in_app=wanted[(category, Channel.IN_APP)],
        event_id=event_id,
        ticket_id=ticket_id,
        order_id=order_id,
        created_at=now,
    )
    session.add(notification)
    await session.flush()
    settings = await settings_of(session, user_id=user_id)
    held_until = None if urgent else _quiet_end(settings, now)
    targets: list[tuple[Channel, str]] = []
    if wanted[(category, Channel.EMAIL)] and (settings.email or email_hint):
        targets.append((Channel.EMAIL, settings.email or email_hint or ""))
    if wanted[(category, Channel.SMS)] and settings.phone_number:
        targets.append((Channel.SMS, settings.phone_number))
    if wanted[(category, Channel.PUSH)]:
        browsers = await push_subscriptions_of(session, user_id=user_id)
        targets.extend((Channel.PUSH, browser.id) for browser in browsers)
    deliveries = [
        Delivery(
            notification_id=notification.id,
            channel=channel,
            target=target,
            status=DeliveryStatus.PENDING if held_until is None else DeliveryStatus.HELD,
            attempts=0,
            next_attempt_at=held_until or now,
            created_at=now,
            updated_at=now,
        )
        for channel, target in targets
    ]
    session.add_all(deliveries)
    await session.flush()
    return notification, deliveries


def _quiet_end(settings: NotificationSettings, now: datetime) -> datetime | None:
    window = quiet_window(settings)
    return window.ends_after(now) if window is not None else None


async def list_notifications(
    session: AsyncSession,
    *,
    user_id: str,
    first: int | None,
    after: str | None,
    unread_only: bool = False,
) -> Page[Notification]:
    """The user's inbox, newest first."""
    statement = select(Notification).where(
        Notification.user_id == user_id, Notification.in_app.is_(True)
    )
    if unread_only:
        statement = statement.where(Notification.read_at.is_(None))
    return await paginate(session, statement, first=first, after=after, descending=True)


async def unread_count(session: AsyncSession, *, user_id: str) -> int:
    count = await session.scalar(
        select(func.count())
        .select_from(Notification)
        .where(
            Notification.user_id == user_id,
            Notification.in_app.is_(True),
            Notification.read_at.is_(None),
        )
    )
    return int(count or 0)


async def mark_read(session: AsyncSession, *, user_id: str, notification_id: str) -> Notification:
    """Mark one of the user's notifications read (again: unchanged). Someone else's is
    NOT_FOUND, as if absent."""
    found = await session.get(Notification, notification_id)
    if found is None or found.user_id != user_id or not found.in_app:
        raise NotificationNotFound(notification_id)
    if found.read_at is None:
        found.read_at = utcnow()
        await session.flush()
    return found


async def mark_all_read(session: AsyncSession, *, user_id: str) -> int:
    """Mark every unread notification of the user read; returns how many were."""
    result = await session.execute(
        update(Notification)
        .where(
            Notification.user_id == user_id,
            Notification.in_app.is_(True),
            Notification.read_at.is_(None),
        )
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def deliveries_of_notifications(
    session: AsyncSession, notification_ids: Sequence[str]
) -> list[Delivery]:
    return list(
        await session.scalars(
            select(Delivery)
            .where(Delivery.notification_id.in_(notification_ids))
            .order_by(Delivery.created_at, Delivery.channel, Delivery.id)
        )
    )
