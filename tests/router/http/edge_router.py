"""The real router app (create_router_app) over the benchmark subgraphs, for the edge defence
tests: rate limits, persisted queries, CSRF, CORS and size limits."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import orjson

from router.config import RouterConfig
from router.http.app import create_router_app
from tests.fixtures.benchmark.data import FIXTURE_DIR
from tests.fixtures.benchmark.loopback import LoopbackServer, start_loopback_server

SUPERGRAPH_SDL = (FIXTURE_DIR / "supergraph.apollo.graphql").read_text()
USER_QUERY = 'query User { user(id: "3") { name } }'
USER_DATA = {"user": {"name": "Kamil Kisiela"}}
PREFLIGHT = {"apollo-require-preflight": "true"}
WS_PROTOCOL = "graphql-transport-ws"


@asynccontextmanager
async def serving_router(
    subgraph_urls: dict[str, str], config: RouterConfig
) -> AsyncIterator[LoopbackServer]:
    server = await start_loopback_server(
        create_router_app(SUPERGRAPH_SDL, subgraph_urls=subgraph_urls, config=config)
    )
    try:
        yield server
    finally:
        await server.stop()


def sha256_hex(query: str) -> str:
    return hashlib.sha256(query.encode()).hexdigest()


def persisted(query: str) -> dict[str, Any]:
    return {"persistedQuery": {"version": 1, "sha256Hash": sha256_hex(query)}}


async def post(
    client: aiohttp.ClientSession,
    url: str,
    body: dict[str, Any],
    headers: dict[str, str] | None = None,
) -> tuple[int, dict[str, Any], aiohttp.ClientResponse]:
    all_headers = {"content-type": "application/json", **(headers or {})}
    async with client.post(url, data=orjson.dumps(body), headers=all_headers) as response:
        return response.status, orjson.loads(await response.read()), response


async def get(
    client: aiohttp.ClientSession,
    url: str,
    params: dict[str, str],
    headers: dict[str, str] | None = None,
) -> tuple[int, dict[str, Any], aiohttp.ClientResponse]:
    async with client.get(url, params=params, headers=headers) as response:
        return response.status, orjson.loads(await response.read()), response


def codes(body: dict[str, Any]) -> list[str]:
    return [error["extensions"]["code"] for error in body.get("errors", [])]


async def websocket_operation(
    ws: aiohttp.ClientWebSocketResponse, operation_id: str, payload: dict[str, Any]
) -> dict[str, Any]:
    """Send ``subscribe`` and return the first message about it (``next`` or ``error``)."""
    await ws.send_str(
        orjson.dumps({"id": operation_id, "type": "subscribe", "payload": payload}).decode()
    )
    while True:
        message = orjson.loads(await ws.receive_str(timeout=5))
        if message.get("id") == operation_id:
            result: dict[str, Any] = message
            return result


@asynccontextmanager
async def graphql_websocket(
    client: aiohttp.ClientSession, url: str, headers: dict[str, str] | None = None
) -> AsyncIterator[aiohttp.ClientWebSocketResponse]:
    """A graphql-transport-ws connection, acknowledged."""
    async with client.ws_connect(url, protocols=(WS_PROTOCOL,), headers=headers) as ws:
        await ws.send_str('{"type": "connection_init"}')
        assert orjson.loads(await ws.receive_str(timeout=5)) == {"type": "connection_ack"}
        yield ws
