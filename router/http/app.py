"""The router as a Starlette app: ``/graphql`` and ``/health``; the lifespan owns every resource."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from functools import partial

import aiohttp
from starlette.applications import Starlette

from router.auth import JwksCache, TokenVerifier
from router.config import RouterConfig
from router.executor import QueryEngine
from router.http.authenticate import authenticate_header
from router.http.deduplicate import QueryDeduplicator
from router.http.routes import router_routes
from router.http.state import STATE_KEY, RouterState
from router.subscriptions import SubscriptionServer, UpstreamSubscriptions
from router.supergraph import load_supergraph
from router.transport import (
    HttpSubgraphFetcher,
    create_subgraph_client,
    create_subgraph_session,
)

logger = logging.getLogger(__name__)


def create_router_app(
    supergraph_sdl: str,
    *,
    subgraph_urls: Mapping[str, str] | None = None,
    config: RouterConfig | None = None,
) -> Starlette:
    """Raises ``router.errors.SupergraphError`` at once when the supergraph cannot be served."""
    router_config = RouterConfig.from_env() if config is None else config
    supergraph = load_supergraph(supergraph_sdl, subgraph_urls=subgraph_urls)
    endpoint_urls = {name: endpoint.url for name, endpoint in supergraph.subgraphs.items()}
    unknown = sorted(set(router_config.subgraph_timeouts) - set(endpoint_urls))
    if unknown:
        raise ValueError(
            f"EHB_ROUTER_SUBGRAPH_TIMEOUTS names {', '.join(unknown)}, not subgraphs of the "
            f"supergraph ({', '.join(sorted(endpoint_urls))})"
        )

    if router_config.jwks_url is None:
        logger.info("no EHB_ROUTER_JWKS_URL: every request is anonymous")
    unknown_policies = sorted(
        name for name in supergraph.authorization.policy_names if name not in router_config.policies
    )
    if unknown_policies:
        logger.warning(
            "@policy names without a rule in EHB_ROUTER_POLICIES (never satisfied): %s",
            ", ".join(unknown_policies),
        )

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[dict[str, RouterState]]:
        session = create_subgraph_session(router_config)
        client = create_subgraph_client(router_config)
        jwks_session = aiohttp.ClientSession() if router_config.jwks_url else None
        try:
            verifier = None
            if jwks_session is not None and router_config.jwks_url is not None:
                jwks = JwksCache(
                    jwks_session,
                    router_config.jwks_url,
                    max_age_seconds=router_config.jwks_max_age_seconds,
                    min_refetch_seconds=router_config.jwks_min_refetch_seconds,
                )
                verifier = TokenVerifier(
                    jwks,
                    issuer=router_config.token_issuer,
                    audience=router_config.token_audience,
                )
            fetcher = HttpSubgraphFetcher(
                client,
                endpoint_urls,
                timeout_seconds=router_config.subgraph_timeout_seconds,
                forwarded_headers=router_config.forwarded_headers,
                subgraph_timeouts=router_config.subgraph_timeouts,
                deduplicate=router_config.deduplicate_subgraph_fetches,
            )
            engine = QueryEngine(
                supergraph,
                fetcher,
                plan_cache_size=router_config.plan_cache_size,
                override_labels=router_config.override_labels,
                policies=router_config.policies,
            )
            upstreams = UpstreamSubscriptions(
                session,
                endpoint_urls,
                connect_timeout_seconds=router_config.subgraph_connect_timeout_seconds,
                keepalive_seconds=router_config.subscription_keepalive_seconds,
            )
            subscriptions = SubscriptionServer(
                engine=engine,
                upstreams=upstreams,
                authenticate=partial(authenticate_header, verifier=verifier),
                forwarded_headers=router_config.forwarded_headers,
                init_timeout_seconds=router_config.websocket_init_timeout_seconds,
                keepalive_seconds=router_config.subscription_keepalive_seconds,
            )
            app.state.subscriptions = subscriptions  # for the server's shutdown
            yield {
                STATE_KEY: RouterState(
                    config=router_config,
                    engine=engine,
                    fetcher=fetcher,
                    subgraph_names=tuple(endpoint_urls),
                    verifier=verifier,
                    subscriptions=subscriptions,
                    deduplicator=QueryDeduplicator() if router_config.deduplicate_queries else None,
                )
            }
            await upstreams.close()
        finally:
            await client.close()
            await session.close()
            if jwks_session is not None:
                await jwks_session.close()

    return Starlette(routes=router_routes(), lifespan=lifespan)
