"""A tiny schema on money's tables (money_outbox) for the kernel's events, outbox and
subscriptions, and a server/client pair that speaks graphql-transport-ws."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncGenerator, AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import strawberry
import uvicorn
import websockets
from starlette.applications import Starlette
from strawberry.scalars import JSON
from strawberry.types import Info

from subgraphs.kernel.app import create_subgraph_app
from subgraphs.kernel.context import SubgraphContext
from subgraphs.kernel.errors import Conflict
from subgraphs.kernel.events import record_event
from subgraphs.kernel.extensions import KERNEL_EXTENSIONS
from subgraphs.kernel.scalars import subgraph_config
from subgraphs.kernel.schema import FEDERATION_VERSION
from subgraphs.kernel.settings import Settings
from subgraphs.money.models import Base

Ctx = Info[SubgraphContext, None]


@strawberry.type
class Query:
    @strawberry.field
    def viewer(self, info: Ctx) -> str | None:
        return info.context.viewer.user_id


@strawberry.type
class Mutation:
    @strawberry.mutation
    def record(self, info: Ctx, types: list[str], fail: bool = False) -> list[str]:
        """Records one event per type (payload `{"n": index}`), then fails if told to."""
        ids = [
            record_event(info.context.session, event_type, {"n": n}, user_id="user-1")
            for n, event_type in enumerate(types)
        ]
        if fail:
            raise Conflict("Changed my mind after recording.")
        return ids


@strawberry.type
class Subscription:
    @strawberry.subscription
    async def messages(self, info: Ctx, channel: str) -> AsyncGenerator[JSON, None]:
        async with info.context.events.subscribe(channel) as messages:
            async for message in messages:
                yield message

    @strawberry.subscription
    async def whoami(self, info: Ctx) -> AsyncGenerator[str, None]:
        yield info.context.viewer.user_id or "anonymous"


schema = strawberry.federation.Schema(
    query=Query,
    mutation=Mutation,
    subscription=Subscription,
    federation_version=FEDERATION_VERSION,
    extensions=KERNEL_EXTENSIONS,
    config=subgraph_config(),
)


def create_events_app(settings: Settings) -> Starlette:
    return create_subgraph_app("money", schema, settings=settings, models_metadata=Base.metadata)


@asynccontextmanager
async def serve_with_websockets(app: Starlette) -> AsyncIterator[str]:
    """`app` under uvicorn with WebSocket support (lifespan included); yields its base URL."""
    config = uvicorn.Config(
        app, host="127.0.0.1", port=0, lifespan="on", log_level="warning", ws="websockets-sansio"
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
            raise RuntimeError("uvicorn stopped before starting")
        await asyncio.sleep(0.005)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


class TransportWsClient:
    """A minimal graphql-transport-ws client over `websockets`."""

    def __init__(self, connection: Any) -> None:
        self.connection = connection
        self._ids = 0

    async def send(self, message: dict[str, Any]) -> None:
        await self.connection.send(json.dumps(message))

    async def receive(self, within: float = 5.0) -> dict[str, Any]:
        message: dict[str, Any] = json.loads(await asyncio.wait_for(self.connection.recv(), within))
        return message

    async def subscribe(self, query: str, variables: dict[str, Any] | None = None) -> str:
        self._ids += 1
        operation_id = str(self._ids)
        payload = {"query": query, "variables": variables or {}}
        await self.send({"id": operation_id, "type": "subscribe", "payload": payload})
        return operation_id

    async def next_data(self, operation_id: str, within: float = 5.0) -> dict[str, Any]:
        while True:
            message = await self.receive(within)
            if message.get("id") == operation_id and message["type"] == "next":
                data: dict[str, Any] = message["payload"]
                return data
            if message.get("id") == operation_id:
                raise AssertionError(f"expected next, got {message}")


@asynccontextmanager
async def transport_ws(
    base_url: str, payload: dict[str, Any] | None = None
) -> AsyncIterator[TransportWsClient]:
    """Connected and acknowledged (connection_init with `payload`)."""
    url = base_url.replace("http://", "ws://") + "/graphql"
    async with websockets.connect(url, subprotocols=["graphql-transport-ws"]) as connection:  # type: ignore[list-item]
        client = TransportWsClient(connection)
        await client.send({"type": "connection_init", "payload": payload or {}})
        ack = await client.receive()
        assert ack["type"] == "connection_ack", ack
        yield client
