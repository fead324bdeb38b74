"""The real `graphql-ws` JavaScript client (npm, tools/node/subscribe.mjs) through the router:
events with entity fields from another subgraph, completion, auth failure, keep-alive and an
upstream subgraph restart."""

from __future__ import annotations

import asyncio
import time

import pytest

from tests.fixtures.subscriptions.node_client import node_subscribe
from tests.fixtures.subscriptions.platform import SubscriptionPlatform
from tests.fixtures.subscriptions.subgraphs import BROKER, eventually, sample_notification

pytestmark = pytest.mark.npm

EVENT = 'subscription { notificationAdded(topic: "t") { id order { label buyerEmail } } }'


async def test_graphql_ws_receives_events_with_fields_of_another_subgraph(
    platform: SubscriptionPlatform, npm_tools: None
) -> None:
    token = platform.issuer.token()
    client = await node_subscribe(platform.ws_url, EVENT, "--token", token, "--count", "2")
    try:
        assert await client.line() == {"event": "connected"}
        await BROKER.wait_for_subscribers("t", 1)
        assert BROKER.connection_payloads == [{"Authorization": f"Bearer {token}"}]
        BROKER.publish("t", sample_notification(1, "o1"))
        BROKER.publish("t", sample_notification(2, "o2"))
        assert await client.rest() == [
            {
                "event": "next",
                "payload": {
                    "data": {
                        "notificationAdded": {
                            "id": "n1",
                            "order": {"label": "First order", "buyerEmail": "ann@example.com"},
                        }
                    }
                },
            },
            {
                "event": "next",
                "payload": {
                    "data": {
                        "notificationAdded": {
                            "id": "n2",
                            "order": {"label": "Second order", "buyerEmail": "bob@example.com"},
                        }
                    }
                },
            },
            {"event": "done"},
        ]
        # The client left: its upstream is torn down.
        await BROKER.wait_for_subscribers("t", 0)
        await eventually(lambda: BROKER.websockets_open == 0)
    finally:
        await client.stop()


async def test_graphql_ws_sees_the_subscription_complete(
    platform: SubscriptionPlatform, npm_tools: None
) -> None:
    client = await node_subscribe(platform.ws_url, "subscription { countTo(to: 3) }")
    try:
        lines = await client.rest()
        assert lines == [
            {"event": "connected"},
            *({"event": "next", "payload": {"data": {"countTo": n}}} for n in (1, 2, 3)),
            {"event": "complete"},
            {"event": "done"},
        ]
    finally:
        await client.stop()


async def test_graphql_ws_with_a_bad_token_is_closed_with_4403(
    platform: SubscriptionPlatform, npm_tools: None
) -> None:
    expired = platform.issuer.token(exp=int(time.time()) - 3600)
    client = await node_subscribe(platform.ws_url, EVENT, "--token", expired)
    try:
        lines = await client.rest()
        assert lines[0] == {"event": "error", "code": 4403, "reason": "Forbidden"}
        assert BROKER.websockets_total == 0
    finally:
        await client.stop()


async def test_graphql_ws_gets_authorization_errors_per_event(
    platform: SubscriptionPlatform, npm_tools: None
) -> None:
    client = await node_subscribe(platform.ws_url, EVENT, "--count", "1")
    try:
        assert await client.line() == {"event": "connected"}
        await BROKER.wait_for_subscribers("t", 1)
        BROKER.publish("t", sample_notification(1))
        payload = (await client.line())["payload"]
        assert payload["data"]["notificationAdded"]["order"]["buyerEmail"] is None
        assert [e["extensions"]["code"] for e in payload["errors"]] == ["UNAUTHENTICATED"]
    finally:
        await client.stop()


async def test_graphql_ws_keeps_a_quiet_subscription_alive_with_pings(
    platform: SubscriptionPlatform, npm_tools: None
) -> None:
    client = await node_subscribe(platform.ws_url, EVENT, "--keep-alive", "200", "--count", "1")
    try:
        assert await client.line() == {"event": "connected"}
        await BROKER.wait_for_subscribers("t", 1)
        await asyncio.sleep(2)  # pings both ways, no events
        BROKER.publish("t", sample_notification(3))
        assert (await client.line())["payload"]["data"]["notificationAdded"]["id"] == "n3"
    finally:
        await client.stop()


async def test_graphql_ws_sees_an_upstream_restart_as_an_error_then_complete(
    platform: SubscriptionPlatform, npm_tools: None
) -> None:
    client = await node_subscribe(platform.ws_url, EVENT)
    try:
        assert await client.line() == {"event": "connected"}
        await BROKER.wait_for_subscribers("t", 1)
        stop = asyncio.create_task(platform.stop_feed())
        failed = await client.line()
        assert failed["event"] == "next"
        assert failed["payload"]["errors"][0]["extensions"] == {
            "code": "SUBGRAPH_UNAVAILABLE",
            "serviceName": "feed",
        }
        assert await client.rest() == [{"event": "complete"}, {"event": "done"}]
        BROKER.end_all()
        await stop
    finally:
        await client.stop()
    await platform.restart_feed()
    again = await node_subscribe(platform.ws_url, EVENT, "--count", "1")
    try:
        assert await again.line() == {"event": "connected"}
        await BROKER.wait_for_subscribers("t", 1)
        BROKER.publish("t", sample_notification(4))
        assert (await again.line())["payload"]["data"]["notificationAdded"]["id"] == "n4"
    finally:
        await again.stop()
