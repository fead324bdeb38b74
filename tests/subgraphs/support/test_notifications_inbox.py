"""The in-app inbox: each user sees, counts and marks only their own notifications."""

from __future__ import annotations

from subgraphs.support.models import NotificationCategory
from tests.subgraphs.support.conftest import Notifying
from tests.subgraphs.support.notification_client import (
    MARK_ALL_READ,
    MARK_READ,
    NOTIFICATIONS,
    codes,
    new_user_id,
    ok,
)


async def notify(notifying: Notifying, user_id: str, title: str) -> str:
    notification = await notifying.notifier.notify(
        user_id=user_id, category=NotificationCategory.SYSTEM, title=title, body=f"{title}!"
    )
    return notification.id


async def test_a_user_lists_their_own_notifications_newest_first_in_pages(notifying: Notifying):
    alice, bob = new_user_id(), new_user_id()
    for title in ("one", "two", "three"):
        await notify(notifying, alice, title)
    await notify(notifying, bob, "bob's")
    caller = notifying.secured.as_user(alice)

    first = ok(await caller.graphql(NOTIFICATIONS, {"first": 2}))
    page = first["notifications"]
    assert [edge["node"]["title"] for edge in page["edges"]] == ["three", "two"]
    assert page["pageInfo"]["hasNextPage"] is True
    assert {edge["node"]["recipient"]["id"] for edge in page["edges"]} == {alice}
    assert first["unreadNotificationCount"] == 3

    rest = ok(
        await caller.graphql(NOTIFICATIONS, {"first": 2, "after": page["pageInfo"]["endCursor"]})
    )
    assert [edge["node"]["title"] for edge in rest["notifications"]["edges"]] == ["one"]
    assert rest["notifications"]["pageInfo"] == {
        "hasNextPage": False,
        "hasPreviousPage": True,
        "endCursor": rest["notifications"]["edges"][0]["cursor"],
    }


async def test_marking_read_changes_the_unread_list_and_count(notifying: Notifying):
    user = new_user_id()
    first = await notify(notifying, user, "first")
    await notify(notifying, user, "second")
    caller = notifying.secured.as_user(user)

    marked = ok(await caller.graphql(MARK_READ, {"id": first}))["markNotificationRead"]
    assert marked["id"] == first and marked["read"] is True and marked["readAt"]
    again = ok(await caller.graphql(MARK_READ, {"id": first}))["markNotificationRead"]
    assert again["readAt"] == marked["readAt"]

    unread = ok(await caller.graphql(NOTIFICATIONS, {"unreadOnly": True}))
    assert [edge["node"]["title"] for edge in unread["notifications"]["edges"]] == ["second"]
    assert unread["unreadNotificationCount"] == 1

    assert ok(await caller.graphql(MARK_ALL_READ)) == {"markAllNotificationsRead": 1}
    after = ok(await caller.graphql(NOTIFICATIONS, {"unreadOnly": True}))
    assert after["notifications"]["edges"] == [] and after["unreadNotificationCount"] == 0
    everything = ok(await caller.graphql(NOTIFICATIONS))
    assert [edge["node"]["read"] for edge in everything["notifications"]["edges"]] == [True, True]


async def test_nobody_reads_or_marks_someone_elses_notifications(notifying: Notifying):
    owner, stranger = new_user_id(), new_user_id()
    notification_id = await notify(notifying, owner, "private")
    other = notifying.secured.as_user(stranger)

    refused = await other.graphql(MARK_READ, {"id": notification_id})
    assert refused["data"] is None and codes(refused) == ["NOT_FOUND"]
    assert ok(await other.graphql(MARK_ALL_READ)) == {"markAllNotificationsRead": 0}
    listed = ok(await other.graphql(NOTIFICATIONS))
    assert listed["notifications"]["edges"] == [] and listed["unreadNotificationCount"] == 0
    # Not even an administrator reads another user's inbox: it is always the token's own.
    admin = ok(await notifying.secured.admin.graphql(NOTIFICATIONS))
    assert notification_id not in {e["node"]["id"] for e in admin["notifications"]["edges"]}

    still = ok(await notifying.secured.as_user(owner).graphql(NOTIFICATIONS))
    assert still["unreadNotificationCount"] == 1


async def test_anonymous_callers_are_unauthenticated(notifying: Notifying):
    anonymous = notifying.secured.anonymous
    body = await anonymous.graphql(NOTIFICATIONS)
    assert body["data"] == {"notifications": None, "unreadNotificationCount": None}
    assert codes(body) == ["UNAUTHENTICATED", "UNAUTHENTICATED"]
    for mutation, variables in ((MARK_ALL_READ, {}), (MARK_READ, {"id": new_user_id()})):
        refused = await anonymous.graphql(mutation, variables)
        assert codes(refused) == ["UNAUTHENTICATED"], refused
