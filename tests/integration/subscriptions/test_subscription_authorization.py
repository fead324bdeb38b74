"""Tokens and authorization directives for subscriptions: the token in connection_init is
verified like an HTTP request's, forwarded to the subgraph, enforced on the subscription field
and on every field of every event, and its expiry ends the subscription."""

from __future__ import annotations

import time

from tests.fixtures.authorization.issuer import tampered
from tests.fixtures.benchmark.loopback import unused_loopback_port
from tests.fixtures.subscriptions.platform import (
    SubscriptionPlatform,
    close_code,
    receive,
    start_subscription_platform,
)
from tests.fixtures.subscriptions.subgraphs import BROKER, sample_notification

EVENT = 'subscription { notificationAdded(topic: "t") { id secret order { label buyerEmail } } }'


def subscribe(operation_id: str, query: str) -> dict[str, object]:
    return {"id": operation_id, "type": "subscribe", "payload": {"query": query}}


async def init_close_code(platform: SubscriptionPlatform, authorization: str) -> int | None:
    ws = await platform.connect()
    await ws.send_json({"type": "connection_init", "payload": {"Authorization": authorization}})
    return await close_code(ws)


async def test_a_bad_token_in_connection_init_closes_with_4403(
    platform: SubscriptionPlatform,
) -> None:
    issuer = platform.issuer
    good = issuer.token()
    for authorization in (
        "Bearer not-a-jwt",
        f"Bearer {issuer.token(exp=int(time.time()) - 3600)}",  # expired
        f"Bearer {issuer.token(aud='someone-else')}",
        f"Bearer {issuer.unsigned_token()}",
        f"Bearer {tampered(good, roles=['admin'])}",
        f"Basic {good}",
    ):
        assert await init_close_code(platform, authorization) == 4403, authorization
    assert BROKER.websockets_total == 0


async def test_the_token_is_forwarded_in_the_upstream_connection_init(
    platform: SubscriptionPlatform,
) -> None:
    token = platform.issuer.token()
    ws = await platform.connected(token)
    await ws.send_json(subscribe("1", EVENT))
    await BROKER.wait_for_subscribers("t", 1)
    assert BROKER.connection_payloads == [{"Authorization": f"Bearer {token}"}]
    await ws.close()


async def test_every_event_is_authorized_field_by_field(platform: SubscriptionPlatform) -> None:
    """Anonymous: the @authenticated field of the entity another subgraph resolves is null
    with UNAUTHENTICATED, the @requiresScopes field with the same code, on every event."""
    ws = await platform.connected()
    await ws.send_json(subscribe("1", EVENT))
    await BROKER.wait_for_subscribers("t", 1)
    for number, order in ((1, "o1"), (2, "o2")):
        BROKER.publish("t", sample_notification(number, order))
        payload = (await receive(ws))["payload"]
        label = "First order" if order == "o1" else "Second order"
        assert payload["data"] == {
            "notificationAdded": {
                "id": f"n{number}",
                "secret": None,
                "order": {"label": label, "buyerEmail": None},
            }
        }
        assert sorted((e["path"], e["extensions"]["code"]) for e in payload["errors"]) == [
            (["notificationAdded", "order", "buyerEmail"], "UNAUTHENTICATED"),
            (["notificationAdded", "secret"], "UNAUTHENTICATED"),
        ]
    await ws.close()


async def test_a_signed_in_user_sees_authenticated_fields_but_not_admin_ones(
    platform: SubscriptionPlatform,
) -> None:
    ws = await platform.connected(platform.issuer.token())
    await ws.send_json(subscribe("1", EVENT))
    await BROKER.wait_for_subscribers("t", 1)
    BROKER.publish("t", sample_notification(1))
    payload = (await receive(ws))["payload"]
    assert payload["data"]["notificationAdded"]["order"]["buyerEmail"] == "ann@example.com"
    assert payload["data"]["notificationAdded"]["secret"] is None
    assert [(e["path"], e["extensions"]["code"]) for e in payload["errors"]] == [
        (["notificationAdded", "secret"], "FORBIDDEN")
    ]
    await ws.close()


async def test_an_admin_sees_every_field(platform: SubscriptionPlatform) -> None:
    token = platform.issuer.token(roles=["admin"], scope="admin profile")
    ws = await platform.connected(token)
    await ws.send_json(subscribe("1", EVENT))
    await BROKER.wait_for_subscribers("t", 1)
    BROKER.publish("t", sample_notification(1))
    assert (await receive(ws))["payload"] == {
        "data": {
            "notificationAdded": {
                "id": "n1",
                "secret": "secret 1",
                "order": {"label": "First order", "buyerEmail": "ann@example.com"},
            }
        }
    }
    await ws.close()


async def test_a_subscription_field_the_caller_may_not_see_is_refused_without_an_upstream(
    platform: SubscriptionPlatform,
) -> None:
    ws = await platform.connected()
    await ws.send_json(subscribe("p", "subscription { privateNotes }"))
    payload = (await receive(ws))["payload"]
    assert payload["data"] is None
    assert [e["extensions"]["code"] for e in payload["errors"]] == ["UNAUTHENTICATED"]
    assert await receive(ws) == {"id": "p", "type": "complete"}
    await ws.close()
    ws = await platform.connected(platform.issuer.token())
    await ws.send_json(subscribe("a", "subscription { adminAlerts }"))
    payload = (await receive(ws))["payload"]
    assert payload["data"] is None
    assert [e["extensions"]["code"] for e in payload["errors"]] == ["FORBIDDEN"]
    assert await receive(ws) == {"id": "a", "type": "complete"}
    await ws.close()
    assert BROKER.websockets_total == 0


async def test_a_protected_subscription_field_is_served_to_who_may_see_it(
    platform: SubscriptionPlatform,
) -> None:
    ws = await platform.connected(platform.issuer.token())
    await ws.send_json(subscribe("p", "subscription { privateNotes }"))
    await BROKER.wait_for_subscribers("private", 1)
    BROKER.publish("private", "hello")
    assert (await receive(ws))["payload"] == {"data": {"privateNotes": "hello"}}
    await ws.close()


async def test_an_expiring_token_ends_the_subscription_with_an_error(
    platform: SubscriptionPlatform,
) -> None:
    # Accepted until exp + 30 s of clock skew: this one has about 1.5 s left.
    token = platform.issuer.token(exp=int(time.time()) - 28)
    ws = await platform.connected(token)
    await ws.send_json(subscribe("1", EVENT))
    await BROKER.wait_for_subscribers("t", 1)
    BROKER.publish("t", sample_notification(1))
    assert (await receive(ws))["payload"]["data"]["notificationAdded"]["id"] == "n1"
    ended = await receive(ws, 5)
    assert ended["type"] == "next"
    assert [e["extensions"]["code"] for e in ended["payload"]["errors"]] == ["UNAUTHENTICATED"]
    assert "expired" in ended["payload"]["errors"][0]["message"]
    assert await receive(ws) == {"id": "1", "type": "complete"}
    await BROKER.wait_for_subscribers("t", 0)
    # Nothing more runs on the socket: subscriptions and queries are refused at once.
    for operation_id, query in (("2", EVENT), ("3", "{ feedName }")):
        await ws.send_json(subscribe(operation_id, query))
        refused = await receive(ws)
        assert (refused["id"], refused["type"]) == (operation_id, "error")
        assert refused["payload"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert BROKER.websockets_total == 1
    await ws.close()


async def test_the_upgrade_requests_authorization_header_is_used_without_one_in_init(
    platform: SubscriptionPlatform,
) -> None:
    token = platform.issuer.token()
    ws = await platform.client.ws_connect(
        platform.ws_url,
        protocols=("graphql-transport-ws",),
        headers={"Authorization": f"Bearer {token}"},
    )
    await ws.send_json({"type": "connection_init"})
    assert await receive(ws) == {"type": "connection_ack"}
    await ws.send_json(subscribe("p", "subscription { privateNotes }"))
    await BROKER.wait_for_subscribers("private", 1)
    assert BROKER.connection_payloads == [{"Authorization": f"Bearer {token}"}]
    await ws.close()


async def test_unverifiable_tokens_close_with_4500_when_the_keys_are_unavailable() -> None:
    platform = await start_subscription_platform(
        jwks_url=f"http://127.0.0.1:{unused_loopback_port()}/.well-known/jwks.json"
    )
    try:
        assert await init_close_code(platform, f"Bearer {platform.issuer.token()}") == 4500
        anonymous = await platform.connected()  # no token: nothing to verify
        await anonymous.close()
    finally:
        await platform.stop()
