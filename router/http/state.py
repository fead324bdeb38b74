"""What the app lifespan creates and every endpoint uses."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from starlette.applications import Starlette
from starlette.requests import HTTPConnection

from router.auth import TokenVerifier
from router.config import RouterConfig
from router.http.deduplicate import QueryDeduplicator
from router.http.engine_protocol import GraphQLEngine
from router.http.rate_limit import RateLimiter
from router.operation.persisted_queries import PersistedQueries
from router.subscriptions import SubscriptionServer
from router.transport import HttpSubgraphFetcher

STATE_KEY = "router"
SHUTTING_DOWN_KEY = "shutting_down"  # on the app's own state: the server sets it, not the lifespan


@dataclass(frozen=True, slots=True)
class RouterState:
    config: RouterConfig
    engine: GraphQLEngine[Any]
    fetcher: HttpSubgraphFetcher
    subgraph_names: tuple[str, ...]
    # None: no JWKS configured, every request is anonymous.
    verifier: TokenVerifier | None = None
    # None: this app serves no subscriptions (test apps with a stand-in engine).
    subscriptions: SubscriptionServer | None = None
    # None: every query runs on its own (EHB_ROUTER_DEDUP=0).
    deduplicator: QueryDeduplicator | None = None
    # None: no rate limits configured (EHB_ROUTER_RATE_LIMIT_*).
    rate_limiter: RateLimiter | None = None
    # None: documents only as ``query`` (no APQ, no safelist).
    persisted_queries: PersistedQueries | None = None


class LiveState:
    """The lifespan state's one mutable thing: the ``RouterState`` new requests get. A
    supergraph reload (``router.http.reload``) replaces it; a request reads it once."""

    __slots__ = ("current",)

    def __init__(self, current: RouterState) -> None:
        self.current = current


def router_state(request: HTTPConnection) -> RouterState:
    # the lifespan state as the server copied it into the scope (what ``request.state`` wraps)
    return cast(LiveState, request.scope["state"][STATE_KEY]).current


def mark_shutting_down(app: Starlette) -> None:
    """The server has begun its graceful shutdown: ``/ready`` answers 503 from now on."""
    setattr(app.state, SHUTTING_DOWN_KEY, True)


def is_shutting_down(request: HTTPConnection) -> bool:
    return bool(getattr(request.app.state, SHUTTING_DOWN_KEY, False))
