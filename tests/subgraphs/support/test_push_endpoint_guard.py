"""In production a push endpoint must be https on a host name that resolves only to public
addresses: refused at registration (BAD_USER_INPUT naming the field) and checked again at each
send, where it fails the delivery; the production push session's resolver refuses internal
addresses at connect time too (DNS rebinding between check and connect). Development still
accepts a loopback http:// push service."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from py_vapid import Vapid

from subgraphs.kernel.db import Database, open_database, utcnow
from subgraphs.kernel.email import MailboxEmailSender
from subgraphs.kernel.errors import BadUserInput
from subgraphs.kernel.push import (
    PublicAddressResolver,
    PushDeliveryFailed,
    PushEndpointRefused,
    PushTarget,
    VapidKeys,
    WebPushSender,
    check_push_endpoint,
    push_http_session,
)
from subgraphs.kernel.sms import OutboxSmsSender
from subgraphs.kernel.testing import migrated_settings
from subgraphs.support.delivery import Channels, DeliveryPolicy, DeliveryWorker
from subgraphs.support.models import (
    Delivery,
    DeliveryStatus,
    Notification,
    NotificationCategory,
    NotificationChannel,
    PushSubscription,
)
from subgraphs.support.notifications import register_push_subscription
from tests.fixtures.push import Browser

INTERNAL = [
    "https://127.0.0.1/push/a",
    "https://10.1.2.3/push/a",
    "https://192.168.0.7:8443/push/a",
    "https://169.254.169.254/latest/meta-data",
    "https://[::1]/push/a",
    "https://[fe80::1]/push/a",
    "https://[::ffff:127.0.0.1]/push/a",
    "https://0.0.0.0/push/a",
    "https://224.0.0.1/push/a",
    "https://240.0.0.1/push/a",
    "https://8.8.8.8/push/a",  # public, but still an IP literal
    "https://localhost/push/a",
    "https://localhost:8443/push/a",
    "https://LOCALHOST./push/a",
    "http://push.example.com/push/a",
    "ftp://push.example.com/push/a",
    "https:///push/a",
]


def keys() -> VapidKeys:
    vapid = Vapid()
    vapid.generate_keys()
    return VapidKeys(vapid=vapid, subject="mailto:ops@ehb.test")


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[Database]:
    settings = await migrated_settings("support", tmp_path)
    database = open_database(settings.database_url("support"))
    yield database
    await database.dispose()


@pytest.mark.parametrize("endpoint", INTERNAL)
async def test_internal_or_literal_or_plain_http_endpoints_are_refused(endpoint: str):
    with pytest.raises(PushEndpointRefused):
        await check_push_endpoint(endpoint)


async def test_an_unresolvable_host_is_refused_as_unresolved():
    with pytest.raises(PushEndpointRefused) as refused:
        await check_push_endpoint("https://push.invalid/push/a")
    assert refused.value.unresolved


@pytest.mark.parametrize(
    "endpoint",
    ["https://127.0.0.1/push/a", "https://localhost/push/a", "http://127.0.0.1:9/push/a"],
)
async def test_production_registration_refuses_them_naming_the_field(
    database: Database, endpoint: str
):
    async with database.sessions() as session:
        with pytest.raises(BadUserInput) as refused:
            await register_push_subscription(
                session,
                user_id=str(uuid.uuid4()),
                endpoint=endpoint,
                p256dh="key",
                auth="auth",
                public_endpoints_only=True,
            )
    assert refused.value.extensions == {"code": "BAD_USER_INPUT", "field": "endpoint"}


async def test_development_still_accepts_a_loopback_push_service(database: Database):
    async with database.sessions() as session:
        found = await register_push_subscription(
            session,
            user_id=str(uuid.uuid4()),
            endpoint="http://127.0.0.1:9/push/a",
            p256dh="key",
            auth="auth",
            allow_loopback_http=True,
        )
        await session.commit()
    assert found.endpoint == "http://127.0.0.1:9/push/a"


async def test_the_sender_checks_the_endpoint_again_before_posting():
    async with aiohttp.ClientSession() as http:
        sender = WebPushSender(http=http, keys=keys(), public_endpoints_only=True)
        with pytest.raises(PushDeliveryFailed) as failed:
            await sender.send(PushTarget("https://localhost:9/push/a", "k", "a"), {"title": "x"})
    assert failed.value.permanent and not failed.value.gone
    assert "non-public address" in str(failed.value)


async def test_a_delivery_to_an_endpoint_now_resolving_inside_fails_with_a_clear_error(
    database: Database, tmp_path: Path
):
    user = str(uuid.uuid4())
    now = utcnow()
    async with database.sessions() as session:
        # Registered while the name was public; now it resolves to loopback (rebinding).
        subscription = PushSubscription(
            user_id=user, endpoint="https://localhost:9/push/a", p256dh="k", auth="a"
        )
        notification = Notification(
            user_id=user,
            category=NotificationCategory.SECURITY,
            title="New sign-in",
            body="Someone signed in.",
            created_at=now,
        )
        session.add_all([subscription, notification])
        await session.flush()
        delivery = Delivery(
            notification_id=notification.id,
            channel=NotificationChannel.PUSH,
            target=subscription.id,
            next_attempt_at=now,
        )
        session.add(delivery)
        await session.commit()
    async with aiohttp.ClientSession() as http:
        channels = Channels(
            email=MailboxEmailSender(directory=tmp_path / "mail"),
            sms=OutboxSmsSender(directory=tmp_path / "sms"),
            push=WebPushSender(http=http, keys=keys(), public_endpoints_only=True),
        )
        worker = DeliveryWorker(database, channels, DeliveryPolicy(max_attempts=5))
        assert await worker.run_once() == 1
    async with database.sessions() as session:
        done = await session.get(Delivery, delivery.id)
        assert done is not None
        assert done.status is DeliveryStatus.FAILED and done.attempts == 1
        assert done.last_error == (
            "refused to post to the endpoint: "
            "The push endpoint's host localhost resolves to a non-public address."
        )
        assert await session.get(PushSubscription, subscription.id) is not None


async def test_the_push_session_refuses_internal_addresses_at_connect_time():
    # The check before posting passed (or was skipped) and the name now resolves inside:
    # the connection's own resolution refuses it, so rebinding in between reaches nothing.
    async with push_http_session(public_only=True) as http:
        with pytest.raises(PushEndpointRefused, match="non-public address"):
            await http.post("https://localhost:9/push/a", data=b"x")
        sender = WebPushSender(http=http, keys=keys(), public_endpoints_only=False)
        browser = Browser.new()
        target = PushTarget("https://localhost:9/push/a", browser.p256dh, browser.auth)
        with pytest.raises(PushDeliveryFailed) as failed:
            await sender.send(target, {"title": "x"})
    assert failed.value.permanent and not failed.value.gone
    assert "non-public address" in str(failed.value)


async def test_the_resolver_answers_public_addresses_unchanged():
    resolver = PublicAddressResolver()
    try:
        found = await resolver.resolve("8.8.8.8", 443)
    finally:
        await resolver.close()
    assert [entry["host"] for entry in found] == ["8.8.8.8"]
