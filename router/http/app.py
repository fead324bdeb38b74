"""The router as a Starlette app: ``/graphql``, ``/health`` and ``/ready``; the lifespan owns
every resource."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from functools import partial
from pathlib import Path
from typing import Any

import aiohttp
from starlette.applications import Starlette

from router import config_file
from router.auth import JwksCache, TokenVerifier
from router.config import REQUEST_ID_HEADER, RouterConfig
from router.executor import QueryEngine
from router.http.authenticate import authenticate_header
from router.http.cors import cors_middleware
from router.http.deduplicate import QueryDeduplicator
from router.http.rate_limit import RateLimiter
from router.http.reload import SupergraphReloader, content_hash, load_checked_supergraph, reloading
from router.http.routes import router_routes
from router.http.state import STATE_KEY, LiveState, RouterState
from router.operation.persisted_queries import PersistedQueries
from router.subscriptions import SubscriptionServer, UpstreamSubscriptions
from router.supergraph import Supergraph
from router.telemetry.exposition import TELEMETRY_STATE_KEY
from router.telemetry.setup import start_router_telemetry
from router.transport import (
    HttpSubgraphFetcher,
    create_subgraph_client,
    create_subgraph_session,
)
from router.transport.health_checks import InstanceHealthChecks
from router.transport.instances import SubgraphInstances, instance_urls

logger = logging.getLogger(__name__)


def create_router_app(
    supergraph_sdl: str,
    *,
    subgraph_urls: Mapping[str, str | Sequence[str]] | None = None,
    config: RouterConfig | None = None,
    supergraph_path: Path | None = None,
) -> Starlette:
    """Raises ``router.errors.SupergraphError`` at once when the supergraph cannot be served.

    ``subgraph_urls``: instance URLs (one or several) replacing the supergraph's, and those of
    ``EHB_ROUTER_SUBGRAPH_URLS``, for the subgraphs it names. ``supergraph_path``: the file
    ``supergraph_sdl`` came from, reloaded on SIGHUP and when it changes (``router.http.reload``).
    """
    router_config = config_file.router_config() if config is None else config
    supergraph = load_checked_supergraph(supergraph_sdl, config=router_config)

    def endpoints_for(supergraph: Supergraph) -> dict[str, tuple[str, ...]]:
        return instance_urls(
            {name: endpoint.url for name, endpoint in supergraph.subgraphs.items()},
            {**router_config.instances.subgraph_urls, **(subgraph_urls or {})},
        )

    endpoint_urls = endpoints_for(supergraph)

    if router_config.jwks_url is None:
        logger.info("no EHB_ROUTER_JWKS_URL: every request is anonymous")

    # Built here so that an unusable safelist manifest stops the router before it serves.
    persisted_queries = PersistedQueries(router_config.persisted_queries)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[dict[str, Any]]:
        session = create_subgraph_session(router_config)
        client = create_subgraph_client(router_config)
        jwks_session = aiohttp.ClientSession() if router_config.jwks_url else None
        rate_limiter = (
            RateLimiter(router_config.rate_limits) if router_config.rate_limits.enabled else None
        )
        instances = SubgraphInstances(endpoint_urls, check_path=router_config.instances.check_path)
        health_checks = InstanceHealthChecks(instances, session, router_config.instances)
        health_checks.start()
        telemetry = start_router_telemetry(router_config)
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
                instances,
                timeout_seconds=router_config.subgraph_timeout_seconds,
                forwarded_headers=router_config.forwarded_headers,
                subgraph_timeouts=router_config.subgraph_timeouts,
                deduplicate=router_config.deduplicate_subgraph_fetches,
                telemetry=telemetry,
            )

            def build_engine(supergraph: Supergraph) -> QueryEngine:
                return QueryEngine(
                    supergraph,
                    fetcher,
                    plan_cache_size=router_config.plan_cache_size,
                    override_labels=router_config.override_labels,
                    policies=router_config.policies,
                    limits=router_config.operation_limits,
                )

            engine = build_engine(supergraph)
            upstreams = UpstreamSubscriptions(
                session,
                instances,
                connect_timeout_seconds=router_config.subgraph_connect_timeout_seconds,
                keepalive_seconds=router_config.subscription_keepalive_seconds,
                tracer=telemetry.tracer,
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
            live = LiveState(
                RouterState(
                    config=router_config,
                    engine=engine,
                    fetcher=fetcher,
                    subgraph_names=tuple(endpoint_urls),
                    verifier=verifier,
                    subscriptions=subscriptions,
                    deduplicator=QueryDeduplicator() if router_config.deduplicate_queries else None,
                    rate_limiter=rate_limiter,
                    persisted_queries=persisted_queries,
                )
            )
            reloader = None
            if supergraph_path is not None:
                reloader = SupergraphReloader(
                    live=live,
                    path=supergraph_path,
                    loaded_hash=content_hash(supergraph_sdl),
                    build_engine=build_engine,
                    endpoints_for=endpoints_for,
                    endpoint_users=(instances,),
                )
            async with reloading(reloader, router_config.supergraph_poll_seconds):
                yield {STATE_KEY: live, TELEMETRY_STATE_KEY: telemetry}
            await upstreams.close()
        finally:
            await telemetry.shutdown()  # first: flushes the spans queued so far
            await health_checks.close()
            await client.close()
            await session.close()
            if jwks_session is not None:
                await jwks_session.close()
            if rate_limiter is not None:
                await rate_limiter.close()
            await persisted_queries.close()

    return Starlette(
        routes=router_routes(),
        middleware=cors_middleware(router_config.cors, expose_headers=(REQUEST_ID_HEADER,)),
        lifespan=lifespan,
    )
