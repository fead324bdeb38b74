"""Small subgraph instances on loopback ports: each answers every GraphQL POST with its own
name, counts what it received, and serves ``GET /health`` with a status the test sets."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tests.fixtures.benchmark.loopback import (
    LoopbackServer,
    bind_loopback_socket,
    serve_on_socket,
)


@dataclass
class InstanceBehaviour:
    name: str
    health_status: int = 200
    delay_seconds: float = 0.0
    queries: list[str] = field(default_factory=list)
    health_checks: int = 0

    def app(self) -> Starlette:
        async def graphql(request: Request) -> Response:
            body = orjson.loads(await request.body())
            self.queries.append(body["query"])
            if self.delay_seconds:
                await asyncio.sleep(self.delay_seconds)
            return Response(
                orjson.dumps({"data": {"instance": self.name}}), media_type="application/json"
            )

        async def health(request: Request) -> Response:
            self.health_checks += 1
            return Response(b'{"status": "x"}', status_code=self.health_status)

        return Starlette(
            routes=[
                Route("/graphql", graphql, methods=["POST"]),
                Route("/health", health, methods=["GET"]),
            ]
        )


@dataclass
class RunningInstance:
    behaviour: InstanceBehaviour
    port: int
    server: LoopbackServer | None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/graphql"

    async def stop(self) -> None:
        if self.server is not None:
            await self.server.stop()
            self.server = None

    async def restart(self) -> None:
        """Serve again on the same port (as a restarted process would)."""
        if self.server is None:
            self.server = await serve_on_socket(
                self.behaviour.app(), bind_loopback_socket(self.port)
            )


async def start_instance(name: str, *, delay_seconds: float = 0.0) -> RunningInstance:
    behaviour = InstanceBehaviour(name, delay_seconds=delay_seconds)
    server = await serve_on_socket(behaviour.app(), bind_loopback_socket(0))
    return RunningInstance(behaviour, server.port, server)
