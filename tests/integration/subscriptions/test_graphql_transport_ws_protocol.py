"""The graphql-transport-ws protocol on the router's /graphql (enisdenjo/graphql-ws
PROTOCOL.md): handshake, close codes, ping/pong, operations and their completion."""

from __future__ import annotations

import asyncio

import aiohttp

from tests.fixtures.subscriptions.platform import (
    INIT_TIMEOUT_SECONDS,
    SubscriptionPlatform,
    close_code,
    receive,
)
from tests.fixtures.subscriptions.subgraphs import BROKER, eventually, sample_notification

NOTIFICATIONS = 'subscription { notificationAdded(topic: "t") { id message } }'


def subscribe(operation_id: str, query: str, **payload: object) -> dict[str, object]:
    return {"id": operation_id, "type": "subscribe", "payload": {"query": query, **payload}}


async def test_a_subscription_gets_each_event_as_next(platform: SubscriptionPlatform) -> None:
    ws = await platform.connected(platform.issuer.token())
    await ws.send_json(subscribe("1", NOTIFICATIONS))
    await BROKER.wait_for_subscribers("t", 1)
    for number in (1, 2):
        BROKER.publish("t", sample_notification(number))
        assert await receive(ws) == {
            "id": "1",
            "type": "next",
            "payload": {
                "data": {"notificationAdded": {"id": f"n{number}", "message": f"message {number}"}}
            },
        }
    await ws.close()


async def test_a_subscription_the_subgraph_completes_ends_with_complete(
    platform: SubscriptionPlatform,
) -> None:
    ws = await platform.connected()
    await ws.send_json(subscribe("c", "subscription { countTo(to: 3) }"))
    for number in (1, 2, 3):
        assert await receive(ws) == {
            "id": "c",
            "type": "next",
            "payload": {"data": {"countTo": number}},
        }
    assert await receive(ws) == {"id": "c", "type": "complete"}
    await eventually(lambda: BROKER.websockets_open == 0)
    # The id is free again once its operation completed.
    await ws.send_json(subscribe("c", "subscription { countTo(to: 1) }"))
    assert (await receive(ws))["payload"] == {"data": {"countTo": 1}}
    assert await receive(ws) == {"id": "c", "type": "complete"}
    await ws.close()


async def test_queries_and_mutations_are_answered_with_one_next_and_complete(
    platform: SubscriptionPlatform,
) -> None:
    ws = await platform.connected()
    await ws.send_json(subscribe("q", '{ feedName order(id: "o1") { label } }'))
    assert await receive(ws) == {
        "id": "q",
        "type": "next",
        "payload": {"data": {"feedName": "feed", "order": {"label": "First order"}}},
    }
    assert await receive(ws) == {"id": "q", "type": "complete"}
    await ws.close()


async def test_an_invalid_operation_is_answered_with_error(
    platform: SubscriptionPlatform,
) -> None:
    ws = await platform.connected()
    await ws.send_json(subscribe("bad", "subscription { noSuchField }"))
    answer = await receive(ws)
    assert answer["type"] == "error"
    assert answer["id"] == "bad"
    assert answer["payload"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    # The socket stays usable.
    await ws.send_json(subscribe("ok", "{ feedName }"))
    assert (await receive(ws))["payload"] == {"data": {"feedName": "feed"}}
    await ws.close()


async def test_no_connection_init_in_time_closes_with_4408(
    platform: SubscriptionPlatform,
) -> None:
    ws = await platform.connect()
    assert await close_code(ws, INIT_TIMEOUT_SECONDS + 5) == 4408


async def test_subscribe_before_the_ack_closes_with_4401(platform: SubscriptionPlatform) -> None:
    ws = await platform.connect()
    await ws.send_json(subscribe("1", NOTIFICATIONS))
    assert await close_code(ws) == 4401


async def test_a_second_connection_init_closes_with_4429(platform: SubscriptionPlatform) -> None:
    ws = await platform.connected()
    await ws.send_json({"type": "connection_init"})
    assert await close_code(ws) == 4429


async def test_a_duplicate_subscription_id_closes_with_4409_and_ends_the_upstream(
    platform: SubscriptionPlatform,
) -> None:
    ws = await platform.connected()
    await ws.send_json(subscribe("same", NOTIFICATIONS))
    await BROKER.wait_for_subscribers("t", 1)
    await ws.send_json(subscribe("same", NOTIFICATIONS))
    assert await close_code(ws) == 4409
    await BROKER.wait_for_subscribers("t", 0)
    await eventually(lambda: BROKER.websockets_open == 0)


async def test_messages_that_are_not_protocol_messages_close_with_4400(
    platform: SubscriptionPlatform,
) -> None:
    for bad in ("not json", "[1, 2]", '{"type": "shout"}', '{"no": "type"}'):
        ws = await platform.connected()
        await ws.send_str(bad)
        assert await close_code(ws) == 4400, bad
    ws = await platform.connected()
    await ws.send_json({"id": "1", "type": "subscribe", "payload": {"query": 42}})
    assert await close_code(ws) == 4400
    ws = await platform.connected()
    await ws.send_json({"type": "subscribe", "payload": {"query": "{ feedName }"}})
    assert await close_code(ws) == 4400
    ws = await platform.connect()
    await ws.send_json({"type": "connection_init", "payload": "not an object"})
    assert await close_code(ws) == 4400


async def test_a_socket_without_the_subprotocol_closes_with_4406(
    platform: SubscriptionPlatform,
) -> None:
    ws = await platform.connect(protocols=())
    assert await close_code(ws) == 4406


async def test_the_server_answers_ping_with_pong(platform: SubscriptionPlatform) -> None:
    ws = await platform.connected()
    await ws.send_json({"type": "ping"})
    message = await ws.receive_json(timeout=5)
    if message == {"type": "ping"}:  # a keep-alive ping may come first
        message = await ws.receive_json(timeout=5)
    assert message == {"type": "pong"}
    await ws.close()


async def test_the_server_pings_on_its_keepalive_interval(platform: SubscriptionPlatform) -> None:
    ws = await platform.connected()
    pings = 0
    async with asyncio.timeout(5):
        while pings < 2:
            message = await ws.receive_json()
            assert message == {"type": "ping"}
            pings += 1
            await ws.send_json({"type": "pong"})
    await ws.close()


async def test_the_router_answers_the_subgraphs_pings_and_pings_it(
    platform: SubscriptionPlatform,
) -> None:
    """A quiet subscription stays open across several keep-alive intervals: the router
    pings the subgraph (which answers), so the upstream is not given up."""
    ws = await platform.connected()
    await ws.send_json(subscribe("1", NOTIFICATIONS))
    await BROKER.wait_for_subscribers("t", 1)
    await asyncio.sleep(2.5)  # five keep-alive intervals without events
    assert BROKER.websockets_open == 1
    BROKER.publish("t", sample_notification(7))
    assert (await receive(ws))["payload"]["data"]["notificationAdded"]["id"] == "n7"
    await ws.close()


async def test_a_client_complete_stops_the_subscription_and_its_upstream(
    platform: SubscriptionPlatform,
) -> None:
    ws = await platform.connected()
    await ws.send_json(subscribe("1", NOTIFICATIONS))
    await BROKER.wait_for_subscribers("t", 1)
    await ws.send_json({"id": "1", "type": "complete"})
    await BROKER.wait_for_subscribers("t", 0)
    await eventually(lambda: BROKER.websockets_open == 0)
    BROKER.publish("t", sample_notification(1))
    await ws.send_json({"type": "ping"})
    assert await receive(ws) == {"type": "pong"}  # and no next for the completed id
    await ws.close()


async def test_a_client_disconnect_tears_its_upstream_down(
    platform: SubscriptionPlatform,
) -> None:
    ws = await platform.connected()
    await ws.send_json(subscribe("1", NOTIFICATIONS))
    await ws.send_json(subscribe("2", 'subscription { notificationAdded(topic: "u") { id } }'))
    await BROKER.wait_for_subscribers("t", 1)
    await BROKER.wait_for_subscribers("u", 1)
    assert BROKER.websockets_open == 2
    await ws.close()
    await BROKER.wait_for_subscribers("t", 0)
    await BROKER.wait_for_subscribers("u", 0)
    await eventually(lambda: BROKER.websockets_open == 0)


async def test_an_abruptly_dropped_client_tears_its_upstream_down(
    platform: SubscriptionPlatform,
) -> None:
    session = aiohttp.ClientSession()
    ws = await session.ws_connect(platform.ws_url, protocols=("graphql-transport-ws",))
    await ws.send_json({"type": "connection_init"})
    assert (await receive(ws))["type"] == "connection_ack"
    await ws.send_json(subscribe("1", NOTIFICATIONS))
    await BROKER.wait_for_subscribers("t", 1)
    await session.close()  # no close frame handshake from the client's side
    await BROKER.wait_for_subscribers("t", 0)
    await eventually(lambda: BROKER.websockets_open == 0)


async def test_a_mutation_over_the_socket_publishes_to_a_subscriber_on_another(
    platform: SubscriptionPlatform,
) -> None:
    listener = await platform.connected()
    await listener.send_json(
        subscribe(
            "l", 'subscription { notificationAdded(topic: "m") { id message order { label } } }'
        )
    )
    await BROKER.wait_for_subscribers("m", 1)
    writer = await platform.connected(platform.issuer.token())
    await writer.send_json(
        subscribe(
            "w",
            "mutation($id: ID!) { publishNotification("
            'topic: "m", id: $id, message: "hi", orderId: "o2") }',
            variables={"id": "n9"},
        )
    )
    assert await receive(writer) == {
        "id": "w",
        "type": "next",
        "payload": {"data": {"publishNotification": 1}},
    }
    assert await receive(writer) == {"id": "w", "type": "complete"}
    assert (await receive(listener))["payload"] == {
        "data": {
            "notificationAdded": {"id": "n9", "message": "hi", "order": {"label": "Second order"}}
        }
    }
    await writer.close()
    await listener.close()


async def test_unusable_variables_are_answered_with_error(platform: SubscriptionPlatform) -> None:
    ws = await platform.connected()
    await ws.send_json(
        subscribe("v", "subscription($n: Int!) { countTo(to: $n) }", variables={"n": "three"})
    )
    answer = await receive(ws)
    assert (answer["id"], answer["type"]) == ("v", "error")
    assert answer["payload"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert BROKER.websockets_total == 0
    await ws.close()


async def test_include_conditions_choose_the_per_event_plan_by_the_variables(
    platform: SubscriptionPlatform,
) -> None:
    query = (
        "subscription($t: String!, $withOrder: Boolean!) { notificationAdded(topic: $t) "
        "{ id order @include(if: $withOrder) { label } } }"
    )
    ws = await platform.connected()
    await ws.send_json(subscribe("with", query, variables={"t": "t", "withOrder": True}))
    await ws.send_json(subscribe("without", query, variables={"t": "t", "withOrder": False}))
    await BROKER.wait_for_subscribers("t", 2)
    platform.shop_log.clear()
    BROKER.publish("t", sample_notification(1))
    answers = {}
    for _ in range(2):
        message = await receive(ws)
        answers[message["id"]] = message["payload"]
    assert answers == {
        "with": {"data": {"notificationAdded": {"id": "n1", "order": {"label": "First order"}}}},
        "without": {"data": {"notificationAdded": {"id": "n1"}}},
    }
    assert len(platform.shop_log.entries) == 1
    await ws.close()
