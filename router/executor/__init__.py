"""The executor: walk a query plan, merge subgraph results, shape the client's response."""

from router.executor.engine import PreparedOperation, QueryEngine

__all__ = ["PreparedOperation", "QueryEngine"]
