"""Operation limits, demand control and introspection access for subscriptions and the other
operations of the subscription transports (graphql-transport-ws, SSE), through the real router
in front of real subgraphs and a real JWKS: refused before any upstream subscription opens."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import orjson
import pytest

from router.operation.limits import OperationLimits
from tests.fixtures.subscriptions.platform import (
    SubscriptionPlatform,
    receive,
    start_subscription_platform,
)
from tests.fixtures.subscriptions.subgraphs import BROKER, sample_notification

LIMITS = OperationLimits(
    max_aliases=1, max_cost=1, introspection=False, introspection_scope="admin"
)
# notificationAdded is one Notification (1); its order one more Order (1).
WITH_ORDER = 'subscription { notificationAdded(topic: "t") { id order { id } } }'
MAYBE_ORDER = (
    'subscription ($withOrder: Boolean!) { notificationAdded(topic: "t") '
    "{ id order @include(if: $withOrder) { id } } }"
)
INTROSPECTION = "{ __schema { subscriptionType { name } } }"


@pytest.fixture
async def platform() -> AsyncIterator[SubscriptionPlatform]:
    started = await start_subscription_platform(operation_limits=LIMITS)
    yield started
    BROKER.end_all()
    await started.stop()


def subscribe(operation_id: str, query: str, **payload: object) -> dict[str, object]:
    return {"id": operation_id, "type": "subscribe", "payload": {"query": query, **payload}}


def codes(errors: list[dict[str, Any]]) -> list[str]:
    return [error["extensions"]["code"] for error in errors]


async def test_a_subscription_over_a_limit_is_refused_before_subscribing_upstream(
    platform: SubscriptionPlatform,
) -> None:
    ws = await platform.connected()
    await ws.send_json(subscribe("aliases", "subscription { notificationAdded { a: id b: id } }"))
    answer = await receive(ws)
    assert (answer["id"], answer["type"]) == ("aliases", "error")
    assert codes(answer["payload"]) == ["MAX_ALIASES_EXCEEDED"]
    await ws.send_json(subscribe("cost", WITH_ORDER))
    answer = await receive(ws)
    assert (answer["id"], answer["type"]) == ("cost", "error")
    assert codes(answer["payload"]) == ["COST_ESTIMATED_TOO_EXPENSIVE"]
    assert BROKER.websockets_total == 0
    await ws.close()


async def test_a_cost_depending_on_variables_is_checked_when_subscribing(
    platform: SubscriptionPlatform,
) -> None:
    ws = await platform.connected()
    await ws.send_json(subscribe("with", MAYBE_ORDER, variables={"withOrder": True}))
    answer = await receive(ws)
    assert answer["type"] == "error"
    assert answer["payload"][0]["extensions"] == {
        "code": "COST_ESTIMATED_TOO_EXPENSIVE",
        "estimatedCost": 2,
        "maxCost": 1,
    }
    assert BROKER.websockets_total == 0
    await ws.send_json(subscribe("without", MAYBE_ORDER, variables={"withOrder": False}))
    await BROKER.wait_for_subscribers("t", 1)
    BROKER.publish("t", sample_notification(1))
    assert await receive(ws) == {
        "id": "without",
        "type": "next",
        "payload": {"data": {"notificationAdded": {"id": "n1"}}},
    }
    await ws.close()


async def test_an_event_stream_subscription_over_the_cost_is_refused(
    platform: SubscriptionPlatform,
) -> None:
    headers = {"content-type": "application/json", "accept": "text/event-stream"}
    async with platform.client.post(
        platform.http_url, data=orjson.dumps({"query": WITH_ORDER}), headers=headers
    ) as response:
        text = (await response.read()).decode()
    events = [
        orjson.loads(line.removeprefix("data:"))
        for line in text.splitlines()
        if line.startswith("data:") and line.strip() != "data:"
    ]
    assert [codes(event["errors"]) for event in events if "errors" in event] == [
        ["COST_ESTIMATED_TOO_EXPENSIVE"]
    ]
    assert BROKER.websockets_total == 0


async def test_introspection_needs_the_admin_scope_over_http_and_websocket(
    platform: SubscriptionPlatform,
) -> None:
    async def introspect(scope: str) -> dict[str, Any]:
        token = platform.issuer.token(scope=scope)
        headers = {"content-type": "application/json", "authorization": f"Bearer {token}"}
        async with platform.client.post(
            platform.http_url, data=orjson.dumps({"query": INTROSPECTION}), headers=headers
        ) as response:
            body: dict[str, Any] = orjson.loads(await response.read())
            return body

    assert await introspect("profile admin") == {
        "data": {"__schema": {"subscriptionType": {"name": "Subscription"}}}
    }
    assert codes((await introspect("profile"))["errors"]) == ["INTROSPECTION_DISABLED"]

    ws = await platform.connected(platform.issuer.token(scope="profile"))
    await ws.send_json(subscribe("schema", INTROSPECTION))
    answer = await receive(ws)
    assert answer["type"] == "error" and codes(answer["payload"]) == ["INTROSPECTION_DISABLED"]
    await ws.close()
    admin = await platform.connected(platform.issuer.token(scope="admin"))
    await admin.send_json(subscribe("schema", INTROSPECTION))
    assert (await receive(admin))["payload"] == {
        "data": {"__schema": {"subscriptionType": {"name": "Subscription"}}}
    }
    await admin.close()
