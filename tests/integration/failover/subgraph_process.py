"""One benchmark subgraph (tests/fixtures/benchmark) in a process of its own, so a test can
SIGKILL it: ``POST /graphql`` is the subgraph, ``GET /health`` answers 200. It serves on a
listening socket inherited from the test (no port to race for):

    python -m tests.integration.failover.subgraph_process NAME FD
"""

from __future__ import annotations

import socket
import sys

import uvicorn
from starlette.types import ASGIApp, Receive, Scope, Send

from tests.fixtures.benchmark.subgraph_servers import subgraph_app

HEALTHY = b'{"status": "pass"}'


def with_health(name: str) -> ASGIApp:
    graphql = subgraph_app(name)

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == "/health":
            await send(
                {
                    "type": "http.response.start",
                    "status": 200,
                    "headers": [(b"content-type", b"application/json")],
                }
            )
            await send({"type": "http.response.body", "body": HEALTHY})
            return
        await graphql(scope, receive, send)

    return app


def main() -> None:
    name, fd = sys.argv[1], int(sys.argv[2])
    listener = socket.socket(fileno=fd)
    config = uvicorn.Config(with_health(name), log_level="warning", access_log=False)
    uvicorn.Server(config).run(sockets=[listener])


if __name__ == "__main__":
    main()
