"""Outbound transports from the router to subgraphs."""

from router.transport.http_client import KeepAliveClient
from router.transport.http_fetcher import HttpSubgraphFetcher
from router.transport.probe import SubgraphHealth, probe_subgraph
from router.transport.session import create_subgraph_client, create_subgraph_session

__all__ = [
    "HttpSubgraphFetcher",
    "KeepAliveClient",
    "SubgraphHealth",
    "create_subgraph_client",
    "create_subgraph_session",
    "probe_subgraph",
]
