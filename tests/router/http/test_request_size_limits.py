"""EHB_ROUTER_MAX_REQUEST_BYTES bounds every way a client sends a document: a POST body (413), a
GET query string (414) and a WebSocket message (closed with 1009)."""

from __future__ import annotations

import aiohttp
import orjson

from router.config import RouterConfig
from tests.router.http.edge_router import (
    PREFLIGHT,
    USER_DATA,
    USER_QUERY,
    codes,
    get,
    graphql_websocket,
    post,
    serving_router,
    websocket_operation,
)

LIMIT = 500
PADDED_QUERY = USER_QUERY + "#" + "x" * LIMIT


async def test_each_transport_refuses_a_document_beyond_the_limit(
    subgraph_urls: dict[str, str], client: aiohttp.ClientSession
) -> None:
    async with serving_router(subgraph_urls, RouterConfig(max_request_bytes=LIMIT)) as router:
        small_get = await get(client, router.graphql_url, {"query": USER_QUERY}, PREFLIGHT)
        large_get = await get(client, router.graphql_url, {"query": PADDED_QUERY}, PREFLIGHT)
        large_post = await post(client, router.graphql_url, {"query": PADDED_QUERY})
        ws_url = router.graphql_url.replace("http://", "ws://")
        async with graphql_websocket(client, ws_url) as ws:
            small_message = await websocket_operation(ws, "1", {"query": USER_QUERY})
            await ws.send_str(
                orjson.dumps(
                    {"id": "2", "type": "subscribe", "payload": {"query": PADDED_QUERY}}
                ).decode()
            )
            closing = await ws.receive(timeout=5)
            while closing.type == aiohttp.WSMsgType.TEXT:  # operation 1's complete
                closing = await ws.receive(timeout=5)

    assert small_get[:2] == (200, {"data": USER_DATA})
    assert large_get[0] == 414
    assert codes(large_get[1]) == ["BAD_REQUEST"]
    assert "send the request with POST" in large_get[1]["errors"][0]["message"]
    assert large_post[0] == 413
    assert small_message["type"] == "next"
    assert closing.type == aiohttp.WSMsgType.CLOSE
    assert closing.data == 1009
