"""GraphQL over Server-Sent Events (distinct connections mode) on the router's /graphql:
``next`` events then ``complete``, the Authorization header verified like any request's,
problems before execution reported as events, and the client closing the stream ending the
subscription and its upstream."""

from __future__ import annotations

import asyncio
import time

import aiohttp
import orjson

from tests.fixtures.subscriptions.platform import SubscriptionPlatform
from tests.fixtures.subscriptions.sse import events
from tests.fixtures.subscriptions.subgraphs import BROKER, eventually, sample_notification

SSE_HEADERS = {"accept": "text/event-stream", "content-type": "application/json"}
EVENT = 'subscription { notificationAdded(topic: "t") { id order { label buyerEmail } } }'


async def post(
    platform: SubscriptionPlatform, query: str, headers: dict[str, str] | None = None
) -> aiohttp.ClientResponse:
    return await platform.client.post(
        platform.http_url,
        data=orjson.dumps({"query": query}),
        headers={**SSE_HEADERS, **(headers or {})},
        timeout=aiohttp.ClientTimeout(total=20),
    )


async def test_a_subscription_streams_next_events(platform: SubscriptionPlatform) -> None:
    token = platform.issuer.token()
    response = await post(platform, EVENT, {"authorization": f"Bearer {token}"})
    assert response.status == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    stream = events(response)
    await BROKER.wait_for_subscribers("t", 1)
    assert BROKER.connection_payloads == [{"Authorization": f"Bearer {token}"}]
    for number, order, label, email in (
        (1, "o1", "First order", "ann@example.com"),
        (2, "o2", "Second order", "bob@example.com"),
    ):
        BROKER.publish("t", sample_notification(number, order))
        assert await anext(stream) == (
            "next",
            {
                "data": {
                    "notificationAdded": {
                        "id": f"n{number}",
                        "order": {"label": label, "buyerEmail": email},
                    }
                }
            },
        )
    response.close()
    await BROKER.wait_for_subscribers("t", 0)
    await eventually(lambda: BROKER.websockets_open == 0)


async def test_a_completed_subscription_ends_with_a_complete_event(
    platform: SubscriptionPlatform,
) -> None:
    response = await post(platform, "subscription { countTo(to: 2) }")
    received = [item async for item in events(response)]
    assert received == [
        ("next", {"data": {"countTo": 1}}),
        ("next", {"data": {"countTo": 2}}),
        ("complete", None),
    ]


async def test_get_with_query_parameters_works_too(platform: SubscriptionPlatform) -> None:
    response = await platform.client.get(
        platform.http_url,
        params={"query": "subscription($n: Int!) { countTo(to: $n) }", "variables": '{"n": 1}'},
        headers={"accept": "text/event-stream", "apollo-require-preflight": "1"},
    )
    assert [item async for item in events(response)] == [
        ("next", {"data": {"countTo": 1}}),
        ("complete", None),
    ]


async def test_a_query_is_one_next_event_then_complete(platform: SubscriptionPlatform) -> None:
    response = await post(platform, '{ order(id: "o2") { label } }')
    assert [item async for item in events(response)] == [
        ("next", {"data": {"order": {"label": "Second order"}}}),
        ("complete", None),
    ]


async def test_an_invalid_operation_is_reported_as_a_next_event(
    platform: SubscriptionPlatform,
) -> None:
    response = await post(platform, "subscription { nope }")
    assert response.status == 200
    received = [item async for item in events(response)]
    assert [name for name, _ in received] == ["next", "complete"]
    assert received[0][1]["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


async def test_authorization_applies_to_every_event(platform: SubscriptionPlatform) -> None:
    response = await post(platform, EVENT)  # anonymous
    stream = events(response)
    await BROKER.wait_for_subscribers("t", 1)
    BROKER.publish("t", sample_notification(1))
    _, payload = await anext(stream)
    assert payload["data"]["notificationAdded"]["order"] == {
        "label": "First order",
        "buyerEmail": None,
    }
    assert [e["extensions"]["code"] for e in payload["errors"]] == ["UNAUTHENTICATED"]
    response.close()


async def test_a_bad_token_is_refused_with_401(platform: SubscriptionPlatform) -> None:
    expired = platform.issuer.token(exp=int(time.time()) - 3600)
    response = await post(platform, EVENT, {"authorization": f"Bearer {expired}"})
    assert response.status == 401
    assert "www-authenticate" in response.headers
    body = await response.json()
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert BROKER.websockets_total == 0


async def test_an_expiring_token_ends_the_stream_with_an_error(
    platform: SubscriptionPlatform,
) -> None:
    token = platform.issuer.token(exp=int(time.time()) - 28)
    response = await post(platform, EVENT, {"authorization": f"Bearer {token}"})
    received = [item async for item in events(response)]
    assert [name for name, _ in received] == ["next", "complete"]
    assert received[0][1]["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    await eventually(lambda: BROKER.websockets_open == 0)


async def test_an_upstream_failure_is_an_error_event_then_complete(
    platform: SubscriptionPlatform,
) -> None:
    response = await post(platform, EVENT)
    stream = events(response)
    await BROKER.wait_for_subscribers("t", 1)
    stop = asyncio.create_task(platform.stop_feed())
    name, payload = await anext(stream)
    assert name == "next"
    assert payload["errors"][0]["extensions"] == {
        "code": "SUBGRAPH_UNAVAILABLE",
        "serviceName": "feed",
    }
    assert await anext(stream) == ("complete", None)
    BROKER.end_all()
    await stop


async def test_idle_streams_get_keepalive_comments(platform: SubscriptionPlatform) -> None:
    response = await post(platform, EVENT)
    await BROKER.wait_for_subscribers("t", 1)
    comments = 0
    async with asyncio.timeout(5):
        async for raw in response.content:
            if raw.startswith(b":"):
                comments += 1
                if comments == 2:
                    break
    response.close()
    await BROKER.wait_for_subscribers("t", 0)


async def test_a_shutting_down_router_ends_open_streams_at_once(
    platform: SubscriptionPlatform,
) -> None:
    response = await post(platform, EVENT)
    stream = events(response)
    await BROKER.wait_for_subscribers("t", 1)
    platform.app.state.subscriptions.close()  # what `ehb router` does on SIGTERM
    name, payload = await anext(stream)
    assert name == "next"
    assert payload["errors"][0]["extensions"]["code"] == "SHUTTING_DOWN"
    assert await anext(stream) == ("complete", None)
    await BROKER.wait_for_subscribers("t", 0)
