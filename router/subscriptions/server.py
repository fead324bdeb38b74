"""The subscription server: the resources the router's ``/graphql`` WebSocket connections
(``router.subscriptions.websocket.serve_websocket``) and event streams
(``router.subscriptions.sse.event_stream_response``) share. Created in the app lifespan."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from router.auth import Principal
from router.executor import QueryEngine
from router.subscriptions.upstream import UpstreamSubscriptions

# Verifies an ``Authorization`` value (None: anonymous) like an HTTP request's header; raises
# ``router.errors.RequestError`` (401 for a bad token, 503 when keys are unavailable).
Authenticate = Callable[[str | None], Awaitable[Principal | None]]


@dataclass(frozen=True, slots=True)
class SubscriptionServer:
    engine: QueryEngine
    upstreams: UpstreamSubscriptions
    authenticate: Authenticate
    forwarded_headers: tuple[str, ...]
    init_timeout_seconds: float
    keepalive_seconds: float
    # The queues of open event streams, told when the router shuts down (``close``).
    streams: set[asyncio.Queue[Any]] = field(default_factory=set)

    def close(self) -> None:
        """The router is shutting down: end every event stream now (an error event, then
        ``complete``) rather than holding the shutdown until its grace period runs out.
        WebSocket clients are closed by the server itself (1012, service restart)."""
        for queue in list(self.streams):
            while queue.full():
                queue.get_nowait()
            queue.put_nowait(SHUTTING_DOWN)


SHUTTING_DOWN: dict[str, Any] = {
    "errors": [
        {
            "message": "The router is shutting down: subscribe again",
            "extensions": {"code": "SHUTTING_DOWN"},
        }
    ]
}
