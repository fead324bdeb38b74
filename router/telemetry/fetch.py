"""Observing subgraph fetches: a ``router.fetch`` span per fetch and the per-subgraph metrics.

``ObservedFetcher`` wraps the engine's ``SubgraphFetcher``. The HTTP fetcher itself calls
``router.telemetry.hooks.add_trace_headers`` (the ``traceparent`` of the current
``router.fetch`` span goes to the subgraph, which continues the trace) and
``record_fetch_status``.
"""

from __future__ import annotations

import time

from opentelemetry.trace import SpanKind, Status, StatusCode

from router.errors import SubgraphUnavailable
from router.telemetry.requests import RouterTelemetry
from router.types import JSONObject, RequestContext, SubgraphFetcher, SubgraphRequest


class ObservedFetcher:
    """``fetcher`` with each fetch traced and counted; implements ``SubgraphFetcher``."""

    def __init__(self, fetcher: SubgraphFetcher, telemetry: RouterTelemetry) -> None:
        self._fetcher = fetcher
        self._tracer = telemetry.tracer
        self._metrics = telemetry.metrics

    async def __call__(
        self, subgraph: str, request: SubgraphRequest, context: RequestContext
    ) -> JSONObject:
        started = time.perf_counter()
        children = None if self._metrics is None else self._metrics.subgraph(subgraph)
        try:
            if self._tracer is None:
                response = await self._fetcher(subgraph, request, context)
            else:
                response = await self._traced(subgraph, request, context)
        except SubgraphUnavailable:
            if children is not None:
                children.fetches.inc()
                children.unavailable.inc()
                children.duration.observe(time.perf_counter() - started)
            raise
        if children is not None:
            children.fetches.inc()
            children.duration.observe(time.perf_counter() - started)
            if "errors" in response:
                children.graphql_errors.inc()
        return response

    async def _traced(
        self, subgraph: str, request: SubgraphRequest, context: RequestContext
    ) -> JSONObject:
        assert self._tracer is not None
        with self._tracer.start_as_current_span(
            "router.fetch",
            kind=SpanKind.CLIENT,
            attributes={"ehb.subgraph": subgraph},
            record_exception=False,
            set_status_on_exception=False,
        ) as span:
            if request.operation_name is not None:
                span.set_attribute("graphql.operation.name", request.operation_name)
            try:
                response = await self._fetcher(subgraph, request, context)
            except SubgraphUnavailable as error:
                span.set_status(Status(StatusCode.ERROR, error.reason))
                span.set_attribute("error.type", "SubgraphUnavailable")
                raise
            if "errors" in response:
                span.set_attribute("ehb.subgraph.errors", len(response["errors"] or ()))
            return response
