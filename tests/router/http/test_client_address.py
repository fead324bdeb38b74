"""The client address the router appends to the X-Forwarded-For it sends subgraphs is the one
its rate limits count (``router.http.client_address``): behind a trusted proxy the forwarded
client, else the peer, over HTTP, GraphQL over SSE and WebSocket alike, with or without rate
limits; listed once, last, after the client's own claims (``EHB_ROUTER_TRUSTED_PROXIES``, a
setting of its own)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import orjson
import pytest
from starlette.types import ASGIApp, Receive, Scope, Send

from router.config import RouterConfig
from tests.fixtures.benchmark.loopback import start_loopback_server
from tests.fixtures.benchmark.subgraph_servers import subgraph_app
from tests.router.http.edge_router import (
    USER_DATA,
    USER_QUERY,
    graphql_websocket,
    post,
    serving_router,
    websocket_operation,
)

CLIENT = "203.0.113.1"
PROXY = "10.0.0.5"
# uvicorn believes X-Forwarded-For from 127.0.0.1 (its FORWARDED_ALLOW_IPS default), so the
# router sees the 10.x proxy as the peer and the client's address as forwarded by it.
FORWARDED = {"x-forwarded-for": f"{CLIENT}, {PROXY}"}


class _RecordingForwardedFor:
    """The accounts subgraph, noting the X-Forwarded-For of every request it gets."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.seen: list[str] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            headers = dict(scope["headers"])
            self.seen.append(headers.get(b"x-forwarded-for", b"").decode())
        await self.app(scope, receive, send)


@pytest.fixture(scope="module")
async def accounts() -> AsyncIterator[tuple[_RecordingForwardedFor, str]]:
    recorder = _RecordingForwardedFor(subgraph_app("accounts"))
    server = await start_loopback_server(recorder)
    yield recorder, server.graphql_url
    await server.stop()


def _trusting(proxies: str) -> RouterConfig:
    return RouterConfig(trusted_proxies=proxies)


async def _ask(client: aiohttp.ClientSession, graphql_url: str, transport: str) -> None:
    """USER_QUERY through the router over ``transport``, from behind the proxy."""
    if transport == "http":
        status, body, _ = await post(client, graphql_url, {"query": USER_QUERY}, FORWARDED)
        assert (status, body) == (200, {"data": USER_DATA})
    elif transport == "sse":
        headers = {"content-type": "application/json", "accept": "text/event-stream", **FORWARDED}
        async with client.post(
            graphql_url, data=orjson.dumps({"query": USER_QUERY}), headers=headers
        ) as response:
            assert response.status == 200
            assert orjson.dumps(USER_DATA).decode()[1:-1] in await response.text()
    else:
        ws_url = graphql_url.replace("http://", "ws://")
        async with graphql_websocket(client, ws_url, FORWARDED) as ws:
            message = await websocket_operation(ws, "1", {"query": USER_QUERY})
        assert message["payload"] == {"data": USER_DATA}


@pytest.mark.parametrize("transport", ["http", "sse", "websocket"])
async def test_behind_a_trusted_proxy_subgraphs_get_the_forwarded_client_address(
    accounts: tuple[_RecordingForwardedFor, str],
    client: aiohttp.ClientSession,
    transport: str,
) -> None:
    recorder, accounts_url = accounts
    recorder.seen.clear()
    async with serving_router({"accounts": accounts_url}, _trusting("10.0.0.0/8")) as router:
        await _ask(client, router.graphql_url, transport)

    assert recorder.seen == [CLIENT]


async def test_from_an_untrusted_peer_subgraphs_get_the_peer_address(
    accounts: tuple[_RecordingForwardedFor, str], client: aiohttp.ClientSession
) -> None:
    recorder, accounts_url = accounts
    recorder.seen.clear()
    async with serving_router({"accounts": accounts_url}, _trusting("192.0.2.0/24")) as router:
        await _ask(client, router.graphql_url, "http")

    # What the peer claims stays in the chain, but the address the router adds is the peer's
    # (uvicorn took it from the last hop, which is not listed twice).
    assert recorder.seen == [f"{CLIENT}, {PROXY}"]


async def test_the_client_s_own_claims_go_on_before_the_address_behind_two_proxies(
    accounts: tuple[_RecordingForwardedFor, str], client: aiohttp.ClientSession
) -> None:
    recorder, accounts_url = accounts
    recorder.seen.clear()
    claimed = "198.51.100.7"
    hops = {"x-forwarded-for": f"{claimed}, {CLIENT}, 10.0.0.9, {PROXY}"}
    async with serving_router({"accounts": accounts_url}, _trusting("10.0.0.0/8")) as router:
        status, body, _ = await post(client, router.graphql_url, {"query": USER_QUERY}, hops)

    assert (status, body) == (200, {"data": USER_DATA})
    assert recorder.seen == [f"{claimed}, {CLIENT}"]


def test_trusted_proxies_are_a_router_setting_of_their_own() -> None:
    config = RouterConfig.from_env({"EHB_ROUTER_TRUSTED_PROXIES": "10.0.0.0/8, 192.0.2.1"})

    assert config.trusted_proxies == "10.0.0.0/8, 192.0.2.1"
    assert not config.rate_limits.enabled
    with pytest.raises(ValueError, match="EHB_ROUTER_TRUSTED_PROXIES: 'proxy' is not an IP"):
        RouterConfig.from_env({"EHB_ROUTER_TRUSTED_PROXIES": "10.0.0.0/8, proxy"})
    with pytest.raises(ValueError, match="'proxy' is not an IP"):
        RouterConfig(trusted_proxies="proxy")
