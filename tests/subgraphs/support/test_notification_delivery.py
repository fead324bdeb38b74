"""Notifications leave by email (real SMTP), SMS (an SMS HTTP API) and Web Push (encrypted,
VAPID-signed, decrypted here as the browser would), per the user's preferences; failures retry
with backoff and end FAILED, visible in GraphQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from subgraphs.support.models import NotificationCategory
from tests.fixtures.push import Browser
from tests.fixtures.sms import FROM_NUMBER
from tests.subgraphs.support.conftest import Notifying
from tests.subgraphs.support.notification_client import (
    REGISTER_PUSH,
    SETTINGS,
    UPDATE_PREFERENCES,
    UPDATE_SETTINGS,
    codes,
    deliveries,
    eventually,
    new_user_id,
    ok,
)


async def reachable_user(
    notifying: Notifying, *, email: bool = True, phone: bool = True, push: bool = True
) -> tuple[str, Any, Browser]:
    user = new_user_id()
    caller = notifying.secured.as_user(user)
    update: dict[str, Any] = {}
    if email:
        update["email"] = f"{user[:8]}@example.com"
    if phone:
        update["phoneNumber"] = "+1 (555) 010-4477"
    ok(await caller.graphql(UPDATE_SETTINGS, {"input": update}))
    browser = Browser.new()
    if push:
        subscription = notifying.push.register(browser)
        ok(await caller.graphql(REGISTER_PUSH, {"input": subscription}))
    return user, caller, browser


def all_done(rows: list[dict[str, Any]]) -> bool:
    return bool(rows) and all(row["status"] in ("SENT", "FAILED") for row in rows)


async def test_settings_start_with_defaults_and_keep_changes(notifying: Notifying):
    user = new_user_id()
    caller = notifying.secured.as_user(user)
    settings = ok(await caller.graphql(SETTINGS))["notificationSettings"]
    enabled = {(p["category"], p["channel"]) for p in settings["preferences"] if p["enabled"]}
    assert ("SECURITY", "SMS") in enabled and ("PAYMENTS", "EMAIL") in enabled
    assert ("SYSTEM", "EMAIL") not in enabled and ("SUPPORT", "SMS") not in enabled
    assert len(settings["preferences"]) == 5 * 4
    assert settings["email"] is None and settings["quietHours"] is None
    assert settings["pushPublicKey"] and len(settings["pushPublicKey"]) == 87

    changed = ok(
        await caller.graphql(
            UPDATE_SETTINGS,
            {
                "input": {
                    "email": "me@example.com",
                    "phoneNumber": "+44 20 7946 0958",
                    "quietHours": {"start": "22:30", "end": "07:00", "timezone": "Europe/Paris"},
                }
            },
        )
    )["updateNotificationSettings"]
    assert changed == {
        "email": "me@example.com",
        "phoneNumber": "+442079460958",
        "quietHours": {"start": "22:30", "end": "07:00", "timezone": "Europe/Paris"},
    }
    kept = ok(await caller.graphql(UPDATE_SETTINGS, {"input": {"email": None}}))
    assert kept["updateNotificationSettings"]["phoneNumber"] == "+442079460958"
    assert kept["updateNotificationSettings"]["email"] is None

    for bad in (
        {"phoneNumber": "12"},
        {"email": "nobody"},
        {"quietHours": {"start": "25:00", "end": "07:00", "timezone": "UTC"}},
        {"quietHours": {"start": "22:00", "end": "07:00", "timezone": "Mars/Olympus"}},
        {"quietHours": {"start": "07:00", "end": "07:00", "timezone": "UTC"}},
    ):
        refused = await caller.graphql(UPDATE_SETTINGS, {"input": bad})
        assert codes(refused) == ["BAD_USER_INPUT"], (bad, refused)

    prefs = ok(
        await caller.graphql(
            UPDATE_PREFERENCES,
            {"input": {"preferences": [{"category": "SYSTEM", "channel": "SMS", "enabled": True}]}},
        )
    )["updateNotificationPreferences"]["preferences"]
    assert {"category": "SYSTEM", "channel": "SMS", "enabled": True} in prefs
    mandatory = await caller.graphql(
        UPDATE_PREFERENCES,
        {
            "input": {
                "preferences": [{"category": "SECURITY", "channel": "IN_APP", "enabled": False}]
            }
        },
    )
    assert codes(mandatory) == ["BAD_USER_INPUT"]


async def test_a_notification_goes_out_on_every_enabled_channel(notifying: Notifying):
    user, caller, browser = await reachable_user(notifying)
    sms_before, push_before = len(notifying.sms.received), len(notifying.push.received)
    mail_before = len(notifying.smtp.messages)

    await notifying.notifier.notify(
        user_id=user,
        category=NotificationCategory.SECURITY,
        title="New sign-in",
        body="Someone signed in from $HOME <script>",
        link="https://app.ehb.test/security",
        urgent=True,
    )

    rows = await eventually(lambda: deliveries(caller), all_done)
    assert sorted((row["channel"], row["status"], row["attempts"]) for row in rows) == [
        ("EMAIL", "SENT", 1),
        ("PUSH", "SENT", 1),
        ("SMS", "SENT", 1),
    ]
    assert all(row["sentAt"] and row["nextAttemptAt"] is None for row in rows)

    mail = await notifying.smtp.wait_for_message(mail_before + 1)
    assert mail.rcpt_tos == [f"{user[:8]}@example.com"]
    assert mail.message["Subject"] == "New sign-in"
    assert "Someone signed in from $HOME <script>" in mail.body()
    assert "&lt;script&gt;" in mail.body("html")

    sms = await notifying.sms.wait_for_message(sms_before + 1)
    assert (sms.to, sms.from_number) == ("+15550104477", FROM_NUMBER)
    assert sms.body.startswith("New sign-in: Someone signed in")

    push = await notifying.push.wait_for_message(push_before + 1)
    assert push.token == browser.token
    assert push.json()["title"] == "New sign-in"
    assert push.json()["link"] == "https://app.ehb.test/security"
    assert push.vapid_claims["sub"] == "mailto:ops@ehb.test"
    public_key = ok(await caller.graphql(SETTINGS))["notificationSettings"]["pushPublicKey"]
    assert push.vapid_key == public_key


async def test_preferences_decide_the_channels(notifying: Notifying):
    user, caller, _ = await reachable_user(notifying)
    ok(
        await caller.graphql(
            UPDATE_PREFERENCES,
            {
                "input": {
                    "preferences": [
                        {"category": "ORDERS", "channel": "EMAIL", "enabled": False},
                        {"category": "ORDERS", "channel": "SMS", "enabled": True},
                    ]
                }
            },
        )
    )
    await notifying.notifier.notify(
        user_id=user, category=NotificationCategory.ORDERS, title="Shipped", body="On its way."
    )
    rows = await eventually(lambda: deliveries(caller), all_done)
    assert sorted(row["channel"] for row in rows) == ["PUSH", "SMS"]


async def test_failed_sends_retry_with_backoff_then_fail_visibly(notifying: Notifying):
    user, caller, _ = await reachable_user(notifying, email=False, push=False)
    notifying.sms.fail_next(1, status=503)
    await notifying.notifier.notify(
        user_id=user, category=NotificationCategory.SECURITY, title="Retried", body="x", urgent=True
    )
    [row] = await eventually(lambda: deliveries(caller), all_done)
    assert (row["status"], row["attempts"], row["lastError"]) == ("SENT", 2, None)

    notifying.sms.fail_next(3, status=500)
    await notifying.notifier.notify(
        user_id=user, category=NotificationCategory.SECURITY, title="Doomed", body="x", urgent=True
    )
    rows = await eventually(
        lambda: deliveries(caller), lambda rows: rows[0]["status"] in ("SENT", "FAILED")
    )
    doomed = rows[0]
    assert doomed["title"] == "Doomed"
    assert (doomed["status"], doomed["attempts"]) == ("FAILED", 3)
    assert "HTTP 500" in doomed["lastError"] and doomed["nextAttemptAt"] is None


async def test_a_refused_message_fails_at_once(notifying: Notifying):
    user, caller, _ = await reachable_user(notifying, email=False, push=False)
    notifying.sms.fail_next(1, status=400)
    await notifying.notifier.notify(
        user_id=user, category=NotificationCategory.SECURITY, title="Bad", body="x", urgent=True
    )
    [row] = await eventually(lambda: deliveries(caller), all_done)
    assert (row["status"], row["attempts"]) == ("FAILED", 1)
    assert "HTTP 400" in row["lastError"]


async def test_an_unsubscribed_browser_is_forgotten(notifying: Notifying):
    user, caller, browser = await reachable_user(notifying, email=False, phone=False)
    notifying.push.gone.add(browser.token)
    await notifying.notifier.notify(
        user_id=user, category=NotificationCategory.ORDERS, title="Gone", body="x"
    )
    [row] = await eventually(lambda: deliveries(caller), all_done)
    assert (row["status"], row["attempts"]) == ("FAILED", 1) and "410" in row["lastError"]
    settings = ok(await caller.graphql(SETTINGS))["notificationSettings"]
    assert settings["pushSubscriptions"] == []


async def test_quiet_hours_hold_non_urgent_messages_but_not_the_inbox(notifying: Notifying):
    user, caller, _ = await reachable_user(notifying, push=False)
    tokyo = datetime.now(UTC).astimezone(ZoneInfo("Asia/Tokyo"))
    start = (tokyo - timedelta(hours=1)).strftime("%H:%M")
    end = (tokyo + timedelta(hours=2)).strftime("%H:%M")
    ok(
        await caller.graphql(
            UPDATE_SETTINGS,
            {"input": {"quietHours": {"start": start, "end": end, "timezone": "Asia/Tokyo"}}},
        )
    )
    mail_before = len(notifying.smtp.messages)
    await notifying.notifier.notify(
        user_id=user, category=NotificationCategory.PAYMENTS, title="Paid", body="x"
    )
    await notifying.notifier.notify(
        user_id=user, category=NotificationCategory.SECURITY, title="Urgent", body="x", urgent=True
    )

    rows = await eventually(
        lambda: deliveries(caller),
        lambda rows: all(r["status"] == "SENT" for r in rows if r["title"] == "Urgent"),
    )
    held = [row for row in rows if row["title"] == "Paid"]
    assert [row["status"] for row in held] == ["HELD"]
    released = datetime.fromisoformat(held[0]["nextAttemptAt"])
    assert timedelta(hours=1, minutes=58) < released - datetime.now(UTC) <= timedelta(hours=2)
    assert sorted(r["channel"] for r in rows if r["title"] == "Urgent") == ["EMAIL", "SMS"]
    # The held mail really waited: only the urgent one arrived.
    urgent_mail = await notifying.smtp.wait_for_message(mail_before + 1)
    assert urgent_mail.message["Subject"] == "Urgent"
    assert len(notifying.smtp.messages) == mail_before + 1

    # Quiet hours over (cleared): the held messages go at once.
    ok(await caller.graphql(UPDATE_SETTINGS, {"input": {"quietHours": None}}))
    rows = await eventually(lambda: deliveries(caller), all_done)
    assert {row["status"] for row in rows} == {"SENT"}
    released_mail = await notifying.smtp.wait_for_message(mail_before + 2)
    assert released_mail.message["Subject"] == "Paid"


async def test_a_category_kept_out_of_the_inbox_is_still_delivered(notifying: Notifying):
    user, caller, _ = await reachable_user(notifying, phone=False, push=False)
    ok(
        await caller.graphql(
            UPDATE_PREFERENCES,
            {
                "input": {
                    "preferences": [{"category": "PAYMENTS", "channel": "IN_APP", "enabled": False}]
                }
            },
        )
    )
    mail_before = len(notifying.smtp.messages)
    await notifying.notifier.notify(
        user_id=user, category=NotificationCategory.PAYMENTS, title="Quiet paid", body="x"
    )
    mail = await notifying.smtp.wait_for_message(mail_before + 1)
    assert mail.message["Subject"] == "Quiet paid"
    assert await deliveries(caller) == []
