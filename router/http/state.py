"""What the app lifespan creates and every endpoint uses."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from starlette.requests import HTTPConnection

from router.auth import TokenVerifier
from router.config import RouterConfig
from router.http.deduplicate import QueryDeduplicator
from router.http.engine_protocol import GraphQLEngine
from router.subscriptions import SubscriptionServer
from router.transport import HttpSubgraphFetcher

STATE_KEY = "router"


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


def router_state(request: HTTPConnection) -> RouterState:
    return cast(RouterState, getattr(request.state, STATE_KEY))
