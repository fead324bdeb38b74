"""The pooled keep-alive aiohttp session the router uses for every subgraph request."""

from __future__ import annotations

import aiohttp

from router.config import RouterConfig


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
