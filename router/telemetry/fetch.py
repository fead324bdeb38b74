"""Observing subgraph fetches: the ``router.fetch`` span and the per-subgraph metrics.

``router.transport.HttpSubgraphFetcher`` records both itself, for each fetch the engine makes
(not for health probes), and only when telemetry is on: ``traced`` runs one fetch under its
span, ``RouterMetrics.subgraph`` gives the counters it updates. Inside the fetch,
``router.telemetry.hooks.add_trace_headers`` sends the span's ``traceparent`` to the subgraph
(which continues the trace) and ``record_answer`` notes the instance and its HTTP status.
"""

from __future__ import annotations

from collections.abc import Awaitable

from opentelemetry.trace import SpanKind, Status, StatusCode, Tracer

from router.errors import SubgraphUnavailable
from router.types import JSONObject


async def traced(
    tracer: Tracer, subgraph: str, operation_name: str | None, fetch: Awaitable[JSONObject]
) -> JSONObject:
    """``fetch`` awaited as the current ``router.fetch`` span (a child of the current span)."""
    with tracer.start_as_current_span(
        "router.fetch",
        kind=SpanKind.CLIENT,
        attributes={"ehb.subgraph": subgraph},
        record_exception=False,
        set_status_on_exception=False,
    ) as span:
        if operation_name is not None:
            span.set_attribute("graphql.operation.name", operation_name)
        try:
            response = await fetch
        except SubgraphUnavailable as error:
            span.set_status(Status(StatusCode.ERROR, error.reason))
            span.set_attribute("error.type", "SubgraphUnavailable")
            raise
        if "errors" in response:
            span.set_attribute("ehb.subgraph.errors", len(response["errors"] or ()))
        return response
