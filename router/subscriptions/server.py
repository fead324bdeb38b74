"""The subscription server: what the router's ``/graphql`` WebSocket and event-stream requests
run (``websocket`` in ``router.subscriptions.websocket``, ``event_stream`` in
``router.subscriptions.sse``), with the resources they share."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

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
