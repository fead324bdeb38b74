"""Rate limits per client address and per user: 429, Retry-After, RATE_LIMITED, over HTTP and
WebSocket, counted in memory or in Redis (shared by router instances)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import replace

import aiohttp
import pytest

from router.config import RouterConfig
from router.http.client_address import client_origin, parse_networks
from router.http.rate_limit import RateLimitConfig
from tests.fixtures.authorization.issuer import JWKS_PATH, TokenIssuer
from tests.fixtures.benchmark.loopback import (
    LoopbackServer,
    start_loopback_server,
    unused_loopback_port,
)
from tests.router.http.edge_router import (
    USER_DATA,
    USER_QUERY,
    codes,
    graphql_websocket,
    post,
    serving_router,
    websocket_operation,
)


@pytest.fixture(scope="module")
async def issuer() -> AsyncIterator[tuple[TokenIssuer, str]]:
    token_issuer = TokenIssuer()
    server: LoopbackServer = await start_loopback_server(token_issuer.app())
    yield token_issuer, f"{server.base_url}{JWKS_PATH}"
    await server.stop()


def _limits(**options: str) -> RouterConfig:
    # A fresh prefix per test: counters of other tests (and runs, in Redis) never count.
    return RouterConfig(rate_limits=RateLimitConfig(key_prefix=uuid.uuid4().hex, **options))


async def test_an_address_over_its_limit_gets_429_with_retry_after(
    subgraph_urls: dict[str, str], client: aiohttp.ClientSession
) -> None:
    async with serving_router(subgraph_urls, _limits(per_address="2/minute")) as router:
        statuses = [
            (await post(client, router.graphql_url, {"query": USER_QUERY}))[0] for _ in range(2)
        ]
        status, body, response = await post(client, router.graphql_url, {"query": USER_QUERY})

    assert statuses == [200, 200]
    assert status == 429
    assert codes(body) == ["RATE_LIMITED"]
    assert "data" not in body
    retry_after = int(response.headers["retry-after"])
    assert 1 <= retry_after <= 60
    assert body["errors"][0]["extensions"]["retryAfter"] == retry_after
    assert "try again in" in body["errors"][0]["message"]


async def test_behind_trusted_proxies_the_forwarded_client_address_counts(
    subgraph_urls: dict[str, str], client: aiohttp.ClientSession
) -> None:
    # uvicorn itself believes X-Forwarded-For from 127.0.0.1 (its FORWARDED_ALLOW_IPS default)
    # and sees the 10.x load balancer as the peer; the router looks past trusted proxies too.
    config = replace(_limits(per_address="1/minute"), trusted_proxies="127.0.0.1, 10.0.0.0/8")
    forwarded = ["203.0.113.1, 10.0.0.5", "203.0.113.1, 10.0.0.6", "203.0.113.2, 10.0.0.5"]
    async with serving_router(subgraph_urls, config) as router:
        statuses = [
            (
                await post(
                    client, router.graphql_url, {"query": USER_QUERY}, {"x-forwarded-for": hops}
                )
            )[0]
            for hops in forwarded
        ]

    assert statuses == [200, 429, 200]


async def test_each_signed_in_user_has_a_limit_of_their_own(
    subgraph_urls: dict[str, str],
    client: aiohttp.ClientSession,
    issuer: tuple[TokenIssuer, str],
) -> None:
    token_issuer, jwks_url = issuer
    config = RouterConfig(
        jwks_url=jwks_url,
        rate_limits=RateLimitConfig(per_user="1/minute", key_prefix=uuid.uuid4().hex),
    )
    ada = {"authorization": f"Bearer {token_issuer.token(sub='ada')}"}
    bob = {"authorization": f"Bearer {token_issuer.token(sub='bob')}"}
    async with serving_router(subgraph_urls, config) as router:
        results = [
            await post(client, router.graphql_url, {"query": USER_QUERY}, headers)
            for headers in (ada, bob, ada, {}, {})
        ]

    assert [status for status, _, _ in results] == [200, 200, 429, 200, 200]
    assert results[0][1] == {"data": USER_DATA}
    limited = results[2][1]["errors"][0]
    assert limited["extensions"]["code"] == "RATE_LIMITED"
    assert "this user" in limited["message"]


async def test_websocket_connections_and_subscribe_messages_count(
    subgraph_urls: dict[str, str], client: aiohttp.ClientSession
) -> None:
    async with serving_router(subgraph_urls, _limits(per_address="2/minute")) as router:
        ws_url = router.graphql_url.replace("http://", "ws://")
        async with graphql_websocket(client, ws_url) as ws:  # 1: the connection
            allowed = await websocket_operation(ws, "1", {"query": USER_QUERY})  # 2
            refused = await websocket_operation(ws, "2", {"query": USER_QUERY})  # 3
        with pytest.raises(aiohttp.WSServerHandshakeError) as handshake:
            await client.ws_connect(ws_url, protocols=("graphql-transport-ws",))

    assert allowed == {"id": "1", "type": "next", "payload": {"data": USER_DATA}}
    assert refused["type"] == "error"
    assert [error["extensions"]["code"] for error in refused["payload"]] == ["RATE_LIMITED"]
    assert handshake.value.status == 429
    assert 1 <= int((handshake.value.headers or {})["retry-after"]) <= 60


@pytest.mark.redis
async def test_router_instances_share_counters_in_redis(
    subgraph_urls: dict[str, str], client: aiohttp.ClientSession, redis_url: str
) -> None:
    config = _limits(per_address="3/minute", storage_url=redis_url)
    async with (
        serving_router(subgraph_urls, config) as first,
        serving_router(subgraph_urls, config) as second,
    ):
        statuses = [
            (await post(client, router.graphql_url, {"query": USER_QUERY}))[0]
            for router in (first, second, first, second)
        ]

    assert statuses == [200, 200, 200, 429]


async def test_an_unreachable_counter_store_lets_requests_through(
    subgraph_urls: dict[str, str], client: aiohttp.ClientSession
) -> None:
    down = f"redis://127.0.0.1:{unused_loopback_port()}/0"
    async with serving_router(
        subgraph_urls, _limits(per_address="1/minute", storage_url=down)
    ) as router:
        results = [await post(client, router.graphql_url, {"query": USER_QUERY}) for _ in range(2)]

    assert [(status, body) for status, body, _ in results] == [(200, {"data": USER_DATA})] * 2


def test_the_client_address_is_the_nearest_untrusted_forwarded_hop() -> None:
    proxies = parse_networks("10.0.0.0/8, 192.0.2.7")
    assert client_origin("10.1.2.3", "198.51.100.9, 203.0.113.5, 10.9.9.9", proxies).address == (
        "203.0.113.5"
    )
    assert client_origin("192.0.2.7", "203.0.113.5", proxies).address == "203.0.113.5"
    # An untrusted peer's header is ignored; garbage in the header falls back to the peer.
    assert client_origin("198.51.100.1", "203.0.113.5", proxies).address == "198.51.100.1"
    assert client_origin("10.1.2.3", "not-an-address", proxies).address == "10.1.2.3"
    assert client_origin("10.1.2.3", "203.0.113.5", ()).address == "10.1.2.3"


def test_settings_come_from_the_environment() -> None:
    config = RouterConfig.from_env(
        {
            "EHB_ROUTER_RATE_LIMIT_IP": "20/second; 600/minute",
            "EHB_ROUTER_RATE_LIMIT_USER": "10/second",
            "EHB_ROUTER_RATE_LIMIT_STORAGE": "redis://cache:6379/2",
        }
    ).rate_limits

    assert config == RateLimitConfig(
        per_address="20/second; 600/minute",
        per_user="10/second",
        storage_url="redis://cache:6379/2",
    )
    assert config.enabled
    assert not RouterConfig.from_env({}).rate_limits.enabled


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("EHB_ROUTER_RATE_LIMIT_IP", "lots", "like '100/second'"),
        ("EHB_ROUTER_RATE_LIMIT_STORAGE", "memcached://x", "memory:// or a redis:// URL"),
    ],
)
def test_unusable_settings_are_refused_naming_the_variable(
    name: str, value: str, message: str
) -> None:
    with pytest.raises(ValueError, match="EHB_ROUTER_RATE_LIMIT") as raised:
        RouterConfig.from_env({name: value})
    assert message in str(raised.value)
