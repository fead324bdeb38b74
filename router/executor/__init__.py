"""The executor: walk a query plan, merge subgraph results, shape the client's response."""

from router.executor.engine import PreparedOperation, QueryEngine
from router.executor.subscription import SubscriptionExecution

__all__ = ["PreparedOperation", "QueryEngine", "SubscriptionExecution"]
