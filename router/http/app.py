"""The router as a Starlette app: ``/graphql`` and ``/health``; the lifespan owns every resource."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager

from starlette.applications import Starlette

from router.config import RouterConfig
from router.executor import QueryEngine
from router.http.routes import router_routes
from router.http.state import STATE_KEY, RouterState
from router.supergraph import load_supergraph
from router.transport import HttpSubgraphFetcher, create_subgraph_session


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

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[dict[str, RouterState]]:
        session = create_subgraph_session(router_config)
        try:
            fetcher = HttpSubgraphFetcher(
                session,
                endpoint_urls,
                timeout_seconds=router_config.subgraph_timeout_seconds,
                connect_timeout_seconds=router_config.subgraph_connect_timeout_seconds,
                forwarded_headers=router_config.forwarded_headers,
                subgraph_timeouts=router_config.subgraph_timeouts,
                deduplicate=router_config.deduplicate_subgraph_fetches,
            )
            engine = QueryEngine(
                supergraph,
                fetcher,
                plan_cache_size=router_config.plan_cache_size,
                override_labels=router_config.override_labels,
            )
            yield {
                STATE_KEY: RouterState(
                    config=router_config,
                    engine=engine,
                    fetcher=fetcher,
                    subgraph_names=tuple(endpoint_urls),
                )
            }
        finally:
            await session.close()

    return Starlette(routes=router_routes(), lifespan=lifespan)
