"""Upstream subscriptions: identical ones share one subgraph connection, the last client
leaving closes it, each event completes entity fields with fetches to the owning subgraph,
and an upstream failure reaches every client as an error then complete."""

from __future__ import annotations

import asyncio

from tests.fixtures.subscriptions.platform import SubscriptionPlatform, receive
from tests.fixtures.subscriptions.subgraphs import BROKER, eventually, sample_notification

NOTIFICATIONS = 'subscription { notificationAdded(topic: "t") { id message } }'
WITH_ORDER = 'subscription { notificationAdded(topic: "t") { id order { id label } } }'


def subscribe(operation_id: str, query: str, **payload: object) -> dict[str, object]:
    return {"id": operation_id, "type": "subscribe", "payload": {"query": query, **payload}}


async def test_identical_subscriptions_share_one_upstream(platform: SubscriptionPlatform) -> None:
    token = platform.issuer.token()
    sockets = [await platform.connected(token) for _ in range(3)]
    for index, ws in enumerate(sockets):
        await ws.send_json(subscribe(f"s{index}", NOTIFICATIONS))
    await BROKER.wait_for_subscribers("t", 1)
    await asyncio.sleep(0.2)  # the later clients join the same upstream
    assert (BROKER.websockets_total, BROKER.subscribers("t")) == (1, 1)
    BROKER.publish("t", sample_notification(1))
    for index, ws in enumerate(sockets):
        message = await receive(ws)
        assert message["id"] == f"s{index}"
        assert message["payload"] == {
            "data": {"notificationAdded": {"id": "n1", "message": "message 1"}}
        }
    # Leaving one by one: the upstream stays while anyone listens.
    await sockets[0].close()
    await sockets[1].send_json({"id": "s1", "type": "complete"})
    await asyncio.sleep(0.2)
    assert BROKER.websockets_open == 1
    BROKER.publish("t", sample_notification(2))
    assert (await receive(sockets[2]))["payload"]["data"]["notificationAdded"]["id"] == "n2"
    await sockets[2].close()
    await BROKER.wait_for_subscribers("t", 0)
    await eventually(lambda: BROKER.websockets_open == 0)
    await sockets[1].close()


async def test_subscriptions_with_different_auth_or_variables_do_not_share(
    platform: SubscriptionPlatform,
) -> None:
    issuer = platform.issuer
    query = "subscription($topic: String!) { notificationAdded(topic: $topic) { id } }"
    first = await platform.connected(issuer.token(sub="user-1"))
    second = await platform.connected(issuer.token(sub="user-2"))
    await first.send_json(subscribe("1", query, variables={"topic": "t"}))
    await second.send_json(subscribe("1", query, variables={"topic": "t"}))
    await first.send_json(subscribe("2", query, variables={"topic": "other"}))
    await BROKER.wait_for_subscribers("t", 2)
    await BROKER.wait_for_subscribers("other", 1)
    assert BROKER.websockets_total == 3
    await first.close()
    await second.close()
    await eventually(lambda: BROKER.websockets_open == 0)


async def test_each_event_fetches_the_entity_fields_from_their_subgraph(
    platform: SubscriptionPlatform,
) -> None:
    ws = await platform.connected()
    await ws.send_json(subscribe("1", WITH_ORDER))
    await BROKER.wait_for_subscribers("t", 1)
    platform.shop_log.clear()
    for number, order, label in ((1, "o1", "First order"), (2, "o2", "Second order")):
        BROKER.publish("t", sample_notification(number, order))
        assert (await receive(ws))["payload"] == {
            "data": {
                "notificationAdded": {"id": f"n{number}", "order": {"id": order, "label": label}}
            }
        }
    requests = [body for name, body in platform.shop_log.entries if name == "shop"]
    assert [r["variables"]["representations"] for r in requests] == [
        [{"__typename": "Order", "id": "o1"}],
        [{"__typename": "Order", "id": "o2"}],
    ]
    await ws.close()


async def test_an_entity_that_cannot_be_fetched_is_an_error_in_that_event_only(
    platform: SubscriptionPlatform,
) -> None:
    ws = await platform.connected()
    await ws.send_json(subscribe("1", WITH_ORDER))
    await BROKER.wait_for_subscribers("t", 1)
    await platform.shop.stop()
    BROKER.publish("t", sample_notification(1))
    payload = (await receive(ws))["payload"]
    assert payload["data"] == {"notificationAdded": {"id": "n1", "order": None}}
    assert payload["errors"][0]["extensions"]["code"] == "SUBGRAPH_UNAVAILABLE"
    assert payload["errors"][0]["extensions"]["serviceName"] == "shop"
    await ws.close()


async def test_an_upstream_subgraph_going_away_ends_every_client_with_an_error(
    platform: SubscriptionPlatform,
) -> None:
    sockets = [await platform.connected() for _ in range(2)]
    for ws in sockets:
        await ws.send_json(subscribe("1", NOTIFICATIONS))
    await BROKER.wait_for_subscribers("t", 1)
    await asyncio.sleep(0.2)
    BROKER.end_all()  # the subgraph shuts down: its streams end, then its sockets close
    await platform.stop_feed()
    for ws in sockets:
        message = await receive(ws)
        # Either the subgraph completed the stream before closing, or the close is the error.
        if message["type"] == "next":
            error = message["payload"]["errors"][0]
            assert error["extensions"] == {"code": "SUBGRAPH_UNAVAILABLE", "serviceName": "feed"}
            message = await receive(ws)
        assert message == {"id": "1", "type": "complete"}
        await ws.close()


async def test_an_upstream_restart_errors_then_a_new_subscription_works(
    platform: SubscriptionPlatform,
) -> None:
    ws = await platform.connected()
    await ws.send_json(subscribe("1", NOTIFICATIONS))
    await BROKER.wait_for_subscribers("t", 1)
    stop = asyncio.create_task(platform.stop_feed())
    message = await receive(ws)
    assert message["type"] == "next"
    assert message["payload"]["errors"][0]["extensions"]["code"] == "SUBGRAPH_UNAVAILABLE"
    assert await receive(ws) == {"id": "1", "type": "complete"}
    BROKER.end_all()
    await stop
    # While the subgraph is down: an error and complete at once, never a hang.
    await ws.send_json(subscribe("2", NOTIFICATIONS))
    message = await receive(ws)
    assert message["payload"]["errors"][0]["extensions"]["code"] == "SUBGRAPH_UNAVAILABLE"
    assert await receive(ws) == {"id": "2", "type": "complete"}
    await platform.restart_feed()
    await ws.send_json(subscribe("3", NOTIFICATIONS))
    await BROKER.wait_for_subscribers("t", 1)
    BROKER.publish("t", sample_notification(5))
    assert (await receive(ws))["payload"]["data"]["notificationAdded"]["id"] == "n5"
    await ws.close()
