"""GraphQL documents and helpers shared by support's notification tests."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable
from typing import Any

from subgraphs.kernel.testing import RunningSubgraph

NOTIFICATIONS = """
query($first: Int, $after: String, $unreadOnly: Boolean! = false) {
  notifications(first: $first, after: $after, unreadOnly: $unreadOnly) {
    edges { cursor node { id title body category link read readAt recipient { id } } }
    pageInfo { hasNextPage hasPreviousPage endCursor }
  }
  unreadNotificationCount
}
"""

DELIVERIES = """
query {
  notifications(first: 50) {
    edges { node { id title deliveries {
      channel status attempts nextAttemptAt lastError sentAt
    } } }
  }
}
"""

MARK_READ = """
mutation($id: ID!) { markNotificationRead(input: {id: $id}) { id read readAt } }
"""

MARK_ALL_READ = "mutation { markAllNotificationsRead }"

SETTINGS = """
query { notificationSettings {
  preferences { category channel enabled }
  email phoneNumber quietHours { start end timezone }
  pushSubscriptions { id endpoint } pushPublicKey
} }
"""

UPDATE_SETTINGS = """
mutation($input: UpdateNotificationSettingsInput!) {
  updateNotificationSettings(input: $input) {
    email phoneNumber quietHours { start end timezone }
  }
}
"""

UPDATE_PREFERENCES = """
mutation($input: UpdateNotificationPreferencesInput!) {
  updateNotificationPreferences(input: $input) { preferences { category channel enabled } }
}
"""

REGISTER_PUSH = """
mutation($input: RegisterPushSubscriptionInput!) {
  registerPushSubscription(input: $input) { id endpoint }
}
"""


def new_user_id() -> str:
    return str(uuid.uuid4())


def codes(body: dict[str, Any]) -> list[str]:
    return [error["extensions"]["code"] for error in body.get("errors", [])]


def ok(body: dict[str, Any]) -> dict[str, Any]:
    assert "errors" not in body, body
    data: dict[str, Any] = body["data"]
    return data


async def deliveries(caller: RunningSubgraph) -> list[dict[str, Any]]:
    """Every delivery of the caller's listed notifications, newest notification first."""
    data = ok(await caller.graphql(DELIVERIES))
    return [
        {"title": edge["node"]["title"], **delivery}
        for edge in data["notifications"]["edges"]
        for delivery in edge["node"]["deliveries"]
    ]


async def eventually(
    probe: Callable[[], Any], check: Callable[[Any], bool], within_seconds: float = 5.0
) -> Any:
    """Await `probe()` until `check(result)` holds; the last result otherwise fails."""
    deadline = time.monotonic() + within_seconds
    while True:
        result = await probe()
        if check(result):
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"never true: {result!r}")
        await asyncio.sleep(0.05)
