"""The four benchmark subgraphs, each recording the ``traceparent`` header of every request it
gets, and a router over them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import aiohttp
from starlette.applications import Starlette
from starlette.types import ASGIApp, Receive, Scope, Send

from router.config import RouterConfig
from router.http.app import create_router_app
from tests.fixtures.benchmark.data import FIXTURE_DIR
from tests.fixtures.benchmark.loopback import LoopbackServer

SUPERGRAPH_SDL = (FIXTURE_DIR / "supergraph.apollo.graphql").read_text()
TOP_PRODUCTS = "query TopProducts { topProducts { name inStock } }"


@dataclass
class TraceparentRecorder:
    """An ASGI app that notes the ``traceparent`` of each HTTP request, or of each WebSocket
    upgrade with ``scope_type="websocket"`` (None: none sent)."""

    app: ASGIApp
    seen: list[str | None] = field(default_factory=list)
    scope_type: str = "http"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == self.scope_type:
            headers = dict(scope["headers"])
            value = headers.get(b"traceparent")
            self.seen.append(None if value is None else value.decode())
        await self.app(scope, receive, send)


@dataclass
class Subgraphs:
    servers: dict[str, LoopbackServer]
    recorders: dict[str, TraceparentRecorder]

    @property
    def urls(self) -> dict[str, str]:
        return {name: server.graphql_url for name, server in self.servers.items()}


def router_app(urls: Mapping[str, str], config: RouterConfig) -> Starlette:
    return create_router_app(SUPERGRAPH_SDL, subgraph_urls=dict(urls), config=config)


async def post_query(
    client: aiohttp.ClientSession,
    url: str,
    query: str,
    *,
    headers: Mapping[str, str] | None = None,
) -> dict[str, object]:
    async with client.post(url, json={"query": query}, headers=headers) as response:
        body: dict[str, object] = await response.json()
        return body
