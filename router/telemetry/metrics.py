"""The router's Prometheus metrics: requests per operation, fetches per subgraph, plans.

Label values are bounded whatever clients send: an operation without a name is
``anonymous``; each process gives its own label to the first ``max_operations`` distinct names
it sees (valid GraphQL names only) and counts every later one as ``other``. Each label
combination's children are bound once and kept, so recording a request is a dictionary lookup
and a few increments.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

ANONYMOUS = "anonymous"
OTHER = "other"
UNKNOWN_TYPE = "unknown"
# Seconds: the router's own overhead is sub-millisecond, slow subgraph calls take seconds.
LATENCY_BUCKETS = (
    0.0005,
    0.001,
    0.0025,
    0.005,
    0.01,
    0.025,
    0.05,
    0.1,
    0.25,
    0.5,
    1.0,
    2.5,
    5.0,
    10.0,
    30.0,
)
_GRAPHQL_NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]{0,127}")
_OPERATION_TYPES = frozenset({"query", "mutation", "subscription"})


class BoundedNames:
    """Operation names as label values: at most ``limit`` distinct ones, then ``other``."""

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._admitted: set[str] = set()

    def label(self, name: str | None) -> str:
        if not name:
            return ANONYMOUS
        if name in self._admitted:
            return name
        if len(self._admitted) >= self._limit or not _GRAPHQL_NAME.fullmatch(name):
            return OTHER
        self._admitted.add(name)
        return name


@dataclass(frozen=True, slots=True)
class OperationChildren:
    requests: Counter
    errors: Counter
    duration: Histogram


@dataclass(frozen=True, slots=True)
class SubgraphChildren:
    fetches: Counter
    unavailable: Counter
    graphql_errors: Counter
    duration: Histogram

    def fetch_answered(self, seconds: float, *, with_errors: bool) -> None:
        """One fetch got a GraphQL response (``with_errors``: it has ``errors``)."""
        self.fetches.inc()
        self.duration.observe(seconds)
        if with_errors:
            self.graphql_errors.inc()

    def fetch_unavailable(self, seconds: float) -> None:
        """One fetch got no GraphQL response (refused, timed out, not JSON)."""
        self.fetches.inc()
        self.unavailable.inc()
        self.duration.observe(seconds)


class RouterMetrics:
    """Every router metric, registered in ``registry`` (one registry per app)."""

    def __init__(
        self,
        registry: CollectorRegistry,
        *,
        max_operations: int,
    ) -> None:
        self.registry = registry
        operation_labels = ("operation", "operation_type")
        self._requests = Counter(
            "ehb_router_requests",
            "GraphQL requests answered over HTTP",
            operation_labels,
            registry=registry,
        )
        self._errors = Counter(
            "ehb_router_request_errors",
            "GraphQL requests answered with errors or an HTTP error status",
            operation_labels,
            registry=registry,
        )
        self._duration = Histogram(
            "ehb_router_request_duration_seconds",
            "Time the router took to answer a GraphQL request",
            operation_labels,
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )
        self._fetches = Counter(
            "ehb_router_subgraph_fetches",
            "Requests the router sent to a subgraph",
            ("subgraph",),
            registry=registry,
        )
        self._fetch_errors = Counter(
            "ehb_router_subgraph_fetch_errors",
            "Subgraph requests that failed (unavailable: no GraphQL response; graphql: a "
            "response with errors)",
            ("subgraph", "reason"),
            registry=registry,
        )
        self._fetch_duration = Histogram(
            "ehb_router_subgraph_fetch_duration_seconds",
            "Time a subgraph request took, as the router saw it",
            ("subgraph",),
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )
        # Misses only (hits are the requests less the misses): nothing to count on a hit.
        self.plan_cache_misses = Counter(
            "ehb_router_plan_cache_misses",
            "Operations planned because the plan cache did not have them",
            registry=registry,
        )
        self.websockets = Gauge(
            "ehb_router_websocket_connections",
            "Open GraphQL WebSocket connections (subscriptions over graphql-transport-ws)",
            registry=registry,
            multiprocess_mode="livesum",
        )
        # Subgraph names come from the supergraph, never from clients: bounded.
        self._subgraphs: dict[str, SubgraphChildren] = {}
        self._names = BoundedNames(max_operations)
        self._operations: dict[tuple[str | None, str], OperationChildren] = {}

    def operation(self, name: str | None, operation_type: str) -> OperationChildren:
        key = (name, operation_type)
        children = self._operations.get(key)
        if children is not None:
            return children
        label = self._names.label(name)
        kind = operation_type if operation_type in _OPERATION_TYPES else UNKNOWN_TYPE
        children = OperationChildren(
            requests=self._requests.labels(label, kind),
            errors=self._errors.labels(label, kind),
            duration=self._duration.labels(label, kind),
        )
        if label != OTHER:  # only admitted names are remembered: the cache stays bounded
            self._operations[key] = children
        return children

    def subgraph(self, name: str) -> SubgraphChildren:
        children = self._subgraphs.get(name)
        if children is None:
            children = SubgraphChildren(
                fetches=self._fetches.labels(name),
                unavailable=self._fetch_errors.labels(name, "unavailable"),
                graphql_errors=self._fetch_errors.labels(name, "graphql"),
                duration=self._fetch_duration.labels(name),
            )
            self._subgraphs[name] = children
        return children

    def request_answered(
        self, name: str | None, operation_type: str, seconds: float, *, failed: bool
    ) -> None:
        children = self.operation(name, operation_type)
        children.requests.inc()
        children.duration.observe(seconds)
        if failed:
            children.errors.inc()
