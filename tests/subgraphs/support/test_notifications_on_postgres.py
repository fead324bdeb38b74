"""Notifications on PostgreSQL: inbox, handled-event dedupe, quiet-hour re-checks and the
delivery worker's claim-by-lease SQL (SQLite covers the rest of the behaviour)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
from pydantic import SecretStr

from subgraphs.kernel.migrations import migrate_to_head_async
from subgraphs.kernel.settings import Settings
from subgraphs.support.app import create_app
from subgraphs.support.models import NotificationCategory
from tests.fixtures.sms import sms_provider
from tests.fixtures.smtp import start_smtp_server
from tests.fixtures.tokens import Secured
from tests.subgraphs.support.conftest import FAST_DELIVERY, Notifying, secured_with_websockets
from tests.subgraphs.support.notification_client import (
    MARK_ALL_READ,
    NOTIFICATIONS,
    UPDATE_SETTINGS,
    deliveries,
    eventually,
    new_user_id,
    ok,
)

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
async def on_postgres(
    tmp_path_factory: pytest.TempPathFactory, create_postgres_database
) -> AsyncIterator[Notifying]:
    url = await create_postgres_database()
    await migrate_to_head_async("support", url)
    with start_smtp_server() as smtp:
        async with sms_provider() as sms:

            def factory(settings: Settings):
                settings = settings.model_copy(
                    update={
                        "database_urls": {"support": url},
                        "smtp_url": SecretStr(f"smtp://{smtp.host}:{smtp.port}?starttls=0"),
                    }
                )
                return create_app(settings, delivery=FAST_DELIVERY, sms=sms.settings())

            directory = tmp_path_factory.mktemp("support-postgres")
            async with secured_with_websockets(directory, factory) as secured:
                yield Notifying(secured=secured, smtp=smtp, sms=sms, push=None)  # type: ignore[arg-type]


async def test_inbox_dedupe_and_delivery_on_postgres(on_postgres: Notifying):
    secured: Secured = on_postgres.secured
    user = new_user_id()
    caller = secured.as_user(user)
    ok(
        await caller.graphql(
            UPDATE_SETTINGS, {"input": {"email": "pg@example.com", "phoneNumber": "+15550100000"}}
        )
    )
    event = {
        "id": uuid.uuid4().hex,
        "type": "identity.password.changed",
        "userId": user,
        "payload": {"ipAddress": "198.51.100.7"},
    }
    for _ in range(2):
        await on_postgres.notifier.handle_event(event)
    await on_postgres.notifier.notify(
        user_id=user, category=NotificationCategory.SYSTEM, title="Hello", body="x"
    )

    inbox = ok(await caller.graphql(NOTIFICATIONS))
    assert [e["node"]["title"] for e in inbox["notifications"]["edges"]] == [
        "Hello",
        "Your password was changed",
    ]
    rows = await eventually(
        lambda: deliveries(caller),
        lambda rows: len(rows) == 2 and all(r["status"] == "SENT" for r in rows),
    )
    assert sorted(r["channel"] for r in rows) == ["EMAIL", "SMS"]
    assert ok(await caller.graphql(MARK_ALL_READ)) == {"markAllNotificationsRead": 2}
    assert ok(await caller.graphql(UPDATE_SETTINGS, {"input": {"quietHours": None}}))
