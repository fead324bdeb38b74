"""Starting and stopping the router's telemetry with the app (in each worker process)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, ProcessCollector

from router.config import RouterConfig
from router.telemetry.exposition import multiprocess_directory
from router.telemetry.metrics import RouterMetrics
from router.telemetry.requests import RouterTelemetry
from router.telemetry.tracing import start_tracing


def start_router_telemetry(config: RouterConfig) -> RouterTelemetry:
    """Metrics unless ``config.metrics`` is off; a tracer only when tracing is configured.
    Call ``shutdown()`` on the result when the app stops (flushes queued spans)."""
    metrics = None
    if config.metrics:
        registry = CollectorRegistry()
        if multiprocess_directory() is None:  # process figures mean nothing summed over workers
            ProcessCollector(registry=registry)
        metrics = RouterMetrics(registry, max_operations=config.metrics_max_operations)
    return RouterTelemetry(metrics, start_tracing(config.tracing))
