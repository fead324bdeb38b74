"""The delivery worker: sends due email, SMS and push deliveries, retrying with exponential
backoff and giving up to FAILED.

One pass (`run_once`) takes the due deliveries (PENDING or HELD whose `next_attempt_at` has
come) oldest first. Each is claimed by a conditional UPDATE that pushes `next_attempt_at` a lease
ahead (so several workers, in one process or many, never send the same delivery together, and
one that dies mid-send is retried when the lease runs out), then:
- non-urgent and inside the user's quiet hours now: HELD until the window ends (no attempt);
- sent: SENT; failed: back to PENDING after `base * 2^(attempts-1)` seconds (capped), or FAILED
  with the last error once `max_attempts` are used or the failure is permanent (the provider
  refused the message, the browser unsubscribed).
Every state change commits in its own short transaction; no transaction stays open while a
channel is talking to the outside world.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update

from subgraphs.kernel.db import Database, utcnow
from subgraphs.kernel.email import EmailDeliveryFailed, EmailSender, render_email
from subgraphs.kernel.push import PushDeliveryFailed, PushTarget, WebPushSender
from subgraphs.kernel.relay import stop_if_cancelled
from subgraphs.kernel.sms import SmsDeliveryFailed, SmsSender
from subgraphs.support.models import (
    Delivery,
    DeliveryStatus,
    Notification,
    NotificationChannel,
    PushSubscription,
)
from subgraphs.support.notifications import quiet_window, settings_of

logger = logging.getLogger("subgraphs.support.delivery")

MAX_ERROR = 500


@dataclass(frozen=True, slots=True)
class DeliveryPolicy:
    max_attempts: int = 5
    backoff_base_seconds: float = 30.0
    backoff_max_seconds: float = 3600.0
    lease_seconds: float = 120.0
    poll_seconds: float = 30.0
    batch_size: int = 50

    def backoff(self, attempts: int) -> timedelta:
        """The wait before attempt `attempts + 1` (attempts >= 1)."""
        seconds = self.backoff_base_seconds * 2 ** max(attempts - 1, 0)
        return timedelta(seconds=min(seconds, self.backoff_max_seconds))


@dataclass(frozen=True, slots=True)
class Channels:
    """The outside channels; `push` is None when push is not configured."""

    email: EmailSender
    sms: SmsSender
    push: WebPushSender | None


class _Failed(Exception):
    def __init__(self, reason: str, *, permanent: bool = False) -> None:
        super().__init__(reason)
        self.permanent = permanent


class DeliveryWorker:
    def __init__(
        self,
        database: Database,
        channels: Channels,
        policy: DeliveryPolicy,
        *,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._database = database
        self._channels = channels
        self._policy = policy
        self._clock = clock
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """Look for due deliveries now rather than at the next poll."""
        self._wake.set()

    async def run(self) -> None:
        """Pass after pass until cancelled; a failing pass is logged, never fatal. Between
        passes it sleeps until the next delivery is due, a `wake()`, or `poll_seconds` (the
        safety net for deliveries another process scheduled), whichever comes first."""
        while True:
            stop_if_cancelled()
            self._wake.clear()
            try:
                handled = await self.run_once()
                pause = 0.0 if handled else await self._seconds_to_next_due()
            except Exception:
                logger.exception("delivery pass failed")
                pause = self._policy.poll_seconds
            if pause <= 0:
                continue
            with contextlib.suppress(TimeoutError):  # asyncio.timeout: see kernel.relay
                async with asyncio.timeout(pause):
                    await self._wake.wait()

    async def _seconds_to_next_due(self) -> float:
        async with self._database.sessions() as session:
            due: datetime | None = await session.scalar(
                select(func.min(Delivery.next_attempt_at)).where(
                    Delivery.status.in_([DeliveryStatus.PENDING, DeliveryStatus.HELD])
                )
            )
        if due is None:
            return self._policy.poll_seconds
        wait = (due - self._clock()).total_seconds()
        return float(min(max(wait, 0.01), self._policy.poll_seconds))

    async def run_once(self) -> int:
        """Handle every delivery due now; returns how many were claimed."""
        now = self._clock()
        async with self._database.sessions() as session:
            due = [
                (row[0], row[1])
                for row in await session.execute(
                    select(Delivery.id, Delivery.next_attempt_at)
                    .where(
                        Delivery.status.in_([DeliveryStatus.PENDING, DeliveryStatus.HELD]),
                        Delivery.next_attempt_at <= now,
                    )
                    .order_by(Delivery.next_attempt_at, Delivery.id)
                    .limit(self._policy.batch_size)
                )
            ]
        claimed = 0
        for delivery_id, seen in due:
            if await self._claim(delivery_id, seen):
                claimed += 1
                await self._handle(delivery_id)
        return claimed

    async def _claim(self, delivery_id: str, seen: datetime | None) -> bool:
        now = self._clock()
        async with self._database.sessions() as session:
            result = await session.execute(
                update(Delivery)
                .where(
                    Delivery.id == delivery_id,
                    Delivery.status.in_([DeliveryStatus.PENDING, DeliveryStatus.HELD]),
                    Delivery.next_attempt_at == seen,
                )
                .values(
                    next_attempt_at=now + timedelta(seconds=self._policy.lease_seconds),
                    updated_at=now,
                )
                .execution_options(synchronize_session=False)
            )
            await session.commit()
        return bool(getattr(result, "rowcount", 0))

    async def _handle(self, delivery_id: str) -> None:
        async with self._database.sessions() as session:
            delivery = await session.get(Delivery, delivery_id)
            if delivery is None:
                return
            notification = await session.get(Notification, delivery.notification_id)
            if notification is None:
                return
            settings = await settings_of(session, user_id=notification.user_id)
            window = quiet_window(settings)
            held_until = (
                window.ends_after(self._clock())
                if window is not None and not notification.urgent
                else None
            )
            if held_until is not None:
                delivery.status = DeliveryStatus.HELD
                delivery.next_attempt_at = held_until
                delivery.updated_at = self._clock()
                await session.commit()
                return
            subscription = (
                await session.get(PushSubscription, delivery.target)
                if delivery.channel is NotificationChannel.PUSH
                else None
            )
            await session.commit()  # nothing open while the channel talks to the world
            try:
                await self._send(delivery, notification, subscription)
            except _Failed as failure:
                await self._failed(session, delivery, failure, subscription)
            else:
                now = self._clock()
                delivery.attempts += 1
                delivery.status = DeliveryStatus.SENT
                delivery.sent_at = now
                delivery.next_attempt_at = None
                delivery.last_error = None
                delivery.updated_at = now
            await session.commit()

    async def _failed(
        self,
        session: Any,
        delivery: Delivery,
        failure: _Failed,
        subscription: PushSubscription | None,
    ) -> None:
        now = self._clock()
        delivery.attempts += 1
        delivery.last_error = str(failure)[:MAX_ERROR]
        delivery.updated_at = now
        if failure.permanent or delivery.attempts >= self._policy.max_attempts:
            delivery.status = DeliveryStatus.FAILED
            delivery.next_attempt_at = None
            logger.warning(
                "delivery %s (%s) failed for good after %d attempt(s): %s",
                delivery.id,
                delivery.channel.value,
                delivery.attempts,
                failure,
            )
        else:
            delivery.status = DeliveryStatus.PENDING
            delivery.next_attempt_at = now + self._policy.backoff(delivery.attempts)
        gone = isinstance(failure.__cause__, PushDeliveryFailed) and failure.__cause__.gone
        if gone and subscription is not None:
            await session.delete(subscription)

    async def _send(
        self,
        delivery: Delivery,
        notification: Notification,
        subscription: PushSubscription | None,
    ) -> None:
        channel = delivery.channel
        try:
            if channel is NotificationChannel.EMAIL:
                await self._channels.email.send(_email(delivery.target, notification))
            elif channel is NotificationChannel.SMS:
                await self._channels.sms.send(delivery.target, _sms_text(notification))
            elif channel is NotificationChannel.PUSH:
                if self._channels.push is None:
                    raise _Failed("push is not configured on this server", permanent=True)
                if subscription is None:
                    raise _Failed("the browser is no longer subscribed", permanent=True)
                await self._channels.push.send(
                    PushTarget(subscription.endpoint, subscription.p256dh, subscription.auth),
                    push_payload(notification),
                )
            else:
                raise _Failed(f"{channel.value} is not an outside channel", permanent=True)
        except EmailDeliveryFailed as error:
            raise _Failed(str(error)) from error
        except SmsDeliveryFailed as error:
            raise _Failed(str(error), permanent=error.permanent) from error
        except PushDeliveryFailed as error:
            raise _Failed(str(error), permanent=error.permanent) from error
        except _Failed:
            raise
        except Exception as error:  # a bug or an unforeseen library error: count the attempt
            logger.exception("delivery %s: unexpected error", delivery.id)
            raise _Failed(f"unexpected error: {type(error).__name__}") from error


def _email(to: str, notification: Notification) -> Any:
    link = f"\n\n{notification.link}" if notification.link else ""
    html_link = "<p><a href='$link'>$link</a></p>" if notification.link else ""
    # The texts go in as values, never as templates: a `$` in them is just a dollar sign.
    return render_email(
        to,
        "$title",
        "$body$link_text\n",
        html=f"<h1>$title</h1><p>$body</p>{html_link}",
        values={
            "title": notification.title,
            "body": notification.body,
            "link": notification.link or "",
            "link_text": link,
        },
    )


def _sms_text(notification: Notification) -> str:
    link = f" {notification.link}" if notification.link else ""
    return f"{notification.title}: {notification.body}{link}"


def push_payload(notification: Notification) -> dict[str, Any]:
    """What a service worker receives (JSON) for `notification`."""
    return {
        "id": notification.id,
        "category": notification.category.value,
        "title": notification.title,
        "body": notification.body,
        "link": notification.link,
        "createdAt": notification.created_at.isoformat(),
    }
