"""What the support app holds while it runs: the outside channels, the delivery worker, and the
`Notifier` that stores a notification, announces it on the user's bus channel and wakes the
worker (`app.state.notifier`).

`support_lifespan` is the app's `lifespan` hook (inside the kernel's: the database, the token
verifier and the event bus are open while it runs). With the worker it also runs retention
(`retention.Retention`: old read notifications, final deliveries, handled-event ids). It also
consumes `domain-events`: each event `templates.TEMPLATES` knows becomes a notification
(`Notifier.handle_event`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import aiohttp
from sqlalchemy.exc import IntegrityError
from starlette.applications import Starlette
from starlette.requests import HTTPConnection

from subgraphs.kernel.app import Lifespan
from subgraphs.kernel.db import Database
from subgraphs.kernel.email import email_sender_from_settings
from subgraphs.kernel.events import EventBus
from subgraphs.kernel.push import (
    PushSettings,
    VapidKeys,
    WebPushSender,
    push_http_session,
    vapid_keys_from_settings,
)
from subgraphs.kernel.settings import Settings
from subgraphs.kernel.sms import SmsSettings, sms_sender_from_settings
from subgraphs.support.delivery import Channels, DeliveryWorker
from subgraphs.support.models import HandledEvent, Notification, NotificationCategory
from subgraphs.support.notifications import create_notification
from subgraphs.support.retention import Retention
from subgraphs.support.settings import NotificationDeliverySettings
from subgraphs.support.templates import PREFIXES, render

logger = logging.getLogger("subgraphs.support")

USER_AGENT = "ehb5-support"


def notifications_channel(user_id: str) -> str:
    """The bus channel carrying one user's new notifications (docs/events.md)."""
    return f"support.notifications.{user_id}"


def notification_message(notification: Notification) -> dict[str, Any]:
    return {
        "id": notification.id,
        "userId": notification.user_id,
        "category": notification.category.value,
        "title": notification.title,
        "body": notification.body,
        "link": notification.link,
        "urgent": notification.urgent,
        "createdAt": notification.created_at.isoformat(),
        "readAt": notification.read_at.isoformat() if notification.read_at else None,
        "ticketId": notification.ticket_id,
        "orderId": notification.order_id,
    }


@dataclass
class Notifier:
    """Stores notifications in their own transaction, then announces and delivers them."""

    database: Database
    worker: DeliveryWorker | None
    events: EventBus | None
    vapid: VapidKeys | None

    async def notify(
        self,
        *,
        user_id: str,
        category: NotificationCategory,
        title: str,
        body: str,
        link: str | None = None,
        urgent: bool = False,
        event_id: str | None = None,
        email_hint: str | None = None,
        ticket_id: str | None = None,
        order_id: str | None = None,
    ) -> Notification:
        async with self.database.sessions() as session:
            notification, deliveries = await create_notification(
                session,
                user_id=user_id,
                category=category,
                title=title,
                body=body,
                link=link,
                urgent=urgent,
                event_id=event_id,
                email_hint=email_hint,
                ticket_id=ticket_id,
                order_id=order_id,
            )
            await session.commit()
        await self.announce(notification)
        if deliveries and self.worker is not None:
            self.worker.wake()
        return notification

    async def handle_event(self, envelope: dict[str, Any]) -> None:
        """The `domain-events` consumer: the event's notification, once per event id (the bus
        delivers at least once; the handled id commits with the notification)."""
        event_id = envelope.get("id")
        rendered = render(envelope)
        if rendered is None or not isinstance(event_id, str) or not event_id:
            return
        async with self.database.sessions() as session:
            if await session.get(HandledEvent, event_id) is not None:
                return
            try:
                session.add(HandledEvent(event_id=event_id, type=str(envelope.get("type"))[:128]))
                notification, deliveries = await create_notification(
                    session,
                    user_id=rendered.user_id,
                    category=rendered.category,
                    title=rendered.title,
                    body=rendered.body,
                    link=rendered.link,
                    urgent=rendered.urgent,
                    event_id=event_id,
                    email_hint=rendered.email_hint,
                    ticket_id=rendered.ticket_id,
                    order_id=rendered.order_id,
                )
                await session.commit()
            except IntegrityError:  # another instance handled it meanwhile (flush or commit)
                await session.rollback()
                return
        await self.announce(notification)
        if deliveries and self.worker is not None:
            self.worker.wake()

    async def announce(self, notification: Notification) -> None:
        """Publish a stored inbox notification to its user's channel (best effort: the inbox
        already has it, and a live subscriber that misses it sees it on the next list)."""
        if not notification.in_app or self.events is None:
            return
        try:
            await self.events.publish(
                notifications_channel(notification.user_id), notification_message(notification)
            )
        except Exception:
            logger.exception("could not publish notification %s", notification.id)


def notifier_of(request: HTTPConnection) -> Notifier:
    notifier: Notifier = request.app.state.notifier
    return notifier


def support_lifespan(
    delivery: NotificationDeliverySettings,
    sms: SmsSettings | None = None,
    push: PushSettings | None = None,
) -> Lifespan:
    """Open the channels, start the delivery worker, and keep the notifier on app.state."""

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        settings: Settings = app.state.settings
        database: Database = app.state.database
        async with (
            aiohttp.ClientSession(headers={"User-Agent": USER_AGENT}) as http,
            push_http_session(public_only=settings.is_production) as push_http,
        ):
            push_settings = push or PushSettings()
            vapid = vapid_keys_from_settings(
                push_settings, data_dir=settings.data_dir, production=settings.is_production
            )
            channels = Channels(
                email=email_sender_from_settings(settings),
                sms=sms_sender_from_settings(
                    sms or SmsSettings(),
                    http=http,
                    data_dir=settings.data_dir,
                    production=settings.is_production,
                ),
                push=None
                if vapid is None
                else WebPushSender(
                    http=push_http,
                    keys=vapid,
                    ttl_seconds=push_settings.ttl_seconds,
                    timeout_seconds=push_settings.timeout_seconds,
                    public_endpoints_only=settings.is_production,
                ),
            )
            worker = DeliveryWorker(database, channels, delivery.policy())
            events: EventBus = app.state.events
            notifier = Notifier(database=database, worker=worker, events=events, vapid=vapid)
            app.state.notifier = notifier
            stops = [events.consume(prefix, notifier.handle_event) for prefix in PREFIXES]
            tasks = (
                [
                    asyncio.create_task(worker.run(), name="support-delivery"),
                    asyncio.create_task(
                        Retention(database, delivery.retention()).run(), name="support-retention"
                    ),
                ]
                if delivery.worker
                else []
            )
            try:
                yield
            finally:
                for stop in stops:
                    stop()
                for task in tasks:
                    task.cancel()
                for task in tasks:
                    with contextlib.suppress(asyncio.CancelledError):
                        await task

    return lifespan
