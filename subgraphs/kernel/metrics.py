"""A subgraph's Prometheus metrics and its ``GET /metrics`` endpoint (`EHB_METRICS=0`: off).

Every metric carries the subgraph's name (`subgraph` label), so several subgraphs served from
one process (`ehb dev`) or sharing a `PROMETHEUS_MULTIPROC_DIR` stay apart. Operation names
are bounded whatever callers send: a request without `operationName` is `anonymous`, and each
process gives its own label to the first `metrics_max_operations` distinct (valid GraphQL)
names, then counts the rest as `other`. With `ehb subgraph <name> --workers N` a scrape adds up
every worker's figures: `prepare_worker_metrics` switches prometheus-client's multiprocess mode
on before the app is built and the workers forked (the values live in memory-mapped files under
`PROMETHEUS_MULTIPROC_DIR`: a temporary directory unless the variable names one). The endpoint
needs no token: expose it on a private network only.
"""

from __future__ import annotations

import atexit
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    ProcessCollector,
    generate_latest,
)
from prometheus_client import values as prometheus_values
from prometheus_client.multiprocess import MultiProcessCollector
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

ANONYMOUS = "anonymous"
OTHER = "other"
MULTIPROC_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"
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


@dataclass(frozen=True, slots=True)
class OperationChildren:
    requests: Counter
    errors: Counter
    duration: Histogram


class SubgraphMetrics:
    """Requests, errors and latency per operation of one subgraph, in their own registry."""

    def __init__(self, subgraph: str, *, max_operations: int) -> None:
        self.subgraph = subgraph
        self.registry = CollectorRegistry()
        if _multiprocess_directory() is None:  # process figures mean nothing summed
            ProcessCollector(registry=self.registry)
        labels = ("subgraph", "operation")
        self._requests = Counter(
            "ehb_subgraph_requests",
            "GraphQL requests the subgraph answered over HTTP",
            labels,
            registry=self.registry,
        )
        self._errors = Counter(
            "ehb_subgraph_request_errors",
            "GraphQL requests answered with errors or an HTTP error status",
            labels,
            registry=self.registry,
        )
        self._duration = Histogram(
            "ehb_subgraph_request_duration_seconds",
            "Time the subgraph took to answer a GraphQL request",
            labels,
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self._limit = max_operations
        self._operations: dict[str | None, OperationChildren] = {}
        self._other = self._children(OTHER)

    def request_answered(self, operation: str | None, seconds: float, *, failed: bool) -> None:
        children = self._operations.get(operation) or self._admit(operation)
        children.requests.inc()
        children.duration.observe(seconds)
        if failed:
            children.errors.inc()

    def _admit(self, operation: str | None) -> OperationChildren:
        if operation and (
            len(self._operations) >= self._limit or not _GRAPHQL_NAME.fullmatch(operation)
        ):
            return self._other
        children = self._children(operation or ANONYMOUS)
        self._operations[operation] = children
        return children

    def _children(self, label: str) -> OperationChildren:
        return OperationChildren(
            requests=self._requests.labels(self.subgraph, label),
            errors=self._errors.labels(self.subgraph, label),
            duration=self._duration.labels(self.subgraph, label),
        )

    def render(self) -> bytes:
        """The text exposition: this process's figures, or every process's in multiprocess
        mode."""
        if _multiprocess_directory() is None:
            return generate_latest(self.registry)
        combined = CollectorRegistry()
        MultiProcessCollector(combined)  # type: ignore[no-untyped-call]
        return generate_latest(combined)


def metrics_route(metrics: SubgraphMetrics | None) -> Route:
    """`GET /metrics`; 404 with a reason when metrics are switched off."""

    async def serve_metrics(_: Request) -> Response:
        if metrics is None:
            return JSONResponse({"error": "metrics are switched off (EHB_METRICS=0)"}, 404)
        return Response(metrics.render(), media_type=CONTENT_TYPE_LATEST)

    return Route("/metrics", serve_metrics, methods=["GET"])


def prepare_worker_metrics(workers: int) -> None:
    """Before building the app and forking `workers` processes: make their figures add up.
    A directory named by `PROMETHEUS_MULTIPROC_DIR` loses its leftover `*.db` files (counters
    start at zero); without the variable and with several workers, a temporary one is made
    (removed when the parent exits)."""
    directory = _multiprocess_directory()
    if directory is None:
        if workers < 2:
            return
        directory = tempfile.mkdtemp(prefix="ehb-subgraph-metrics-")
        atexit.register(shutil.rmtree, directory, True)
        os.environ[MULTIPROC_VARIABLE] = directory
    else:
        Path(directory).mkdir(parents=True, exist_ok=True)
        for stale in Path(directory).glob("*.db"):
            stale.unlink()
    if not getattr(prometheus_values.ValueClass, "_multiprocess", False):
        # prometheus-client picks its value class when imported, maybe before the variable
        # was set: metrics created from now on use the files.
        prometheus_values.ValueClass = prometheus_values.MultiProcessValue()  # type: ignore[no-untyped-call]


def _multiprocess_directory() -> str | None:
    return os.environ.get(MULTIPROC_VARIABLE) or None
