"""The router's real routes and pipeline around the graphql-core engine, for HTTP tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette

from router.config import RouterConfig
from router.http.routes import router_routes
from router.http.state import STATE_KEY, LiveState, RouterState
from router.transport import HttpSubgraphFetcher, create_subgraph_client, create_subgraph_session
from tests.router.http.graphql_core_engine import GraphQLCoreEngine

MAX_REQUEST_BYTES = 2_000
DOWN_SUBGRAPH = "inventory"


def pipeline_app(subgraph_urls: dict[str, str], config: RouterConfig) -> Starlette:
    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[dict[str, LiveState]]:
        session = create_subgraph_session(config)
        client = create_subgraph_client(config)
        fetcher = HttpSubgraphFetcher(
            client, subgraph_urls, timeout_seconds=config.subgraph_timeout_seconds
        )
        yield {
            STATE_KEY: LiveState(
                RouterState(
                    config=config,
                    engine=GraphQLCoreEngine(),
                    fetcher=fetcher,
                    subgraph_names=tuple(subgraph_urls),
                )
            )
        }
        await client.close()
        await session.close()

    return Starlette(routes=router_routes(), lifespan=lifespan)
