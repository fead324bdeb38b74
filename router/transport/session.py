"""The router's pooled subgraph connections: HTTP queries and mutations, WebSockets and probes."""

from __future__ import annotations

import aiohttp

from router.config import RouterConfig
from router.transport.http_client import KeepAliveClient


def create_subgraph_session(config: RouterConfig) -> aiohttp.ClientSession:
    """One session per router: created in the app lifespan, closed on shutdown.

    Must be called with an event loop running.
    """
    connector = aiohttp.TCPConnector(
        limit=0,  # no global cap: each subgraph gets its own pool below
        limit_per_host=config.subgraph_max_connections,
        keepalive_timeout=config.subgraph_keepalive_seconds,
        ttl_dns_cache=300,
    )
    return aiohttp.ClientSession(
        connector=connector,
        timeout=aiohttp.ClientTimeout(
            total=config.subgraph_timeout_seconds,
            sock_connect=config.subgraph_connect_timeout_seconds,
        ),
        auto_decompress=True,
        raise_for_status=False,
        skip_auto_headers=("User-Agent",),
    )


def create_subgraph_client(config: RouterConfig) -> KeepAliveClient:
    """The client of every subgraph query and mutation (``HttpSubgraphFetcher``); one per
    router, closed on shutdown. The aiohttp session stays for WebSockets and health probes."""
    return KeepAliveClient(
        max_connections_per_origin=config.subgraph_max_connections,
        keepalive_seconds=config.subgraph_keepalive_seconds,
        connect_timeout_seconds=config.subgraph_connect_timeout_seconds,
    )
