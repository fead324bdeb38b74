"""Observing upstream subscriptions: the ``router.subscribe`` span.

``router.transport.ws_client`` opens each upstream subscription (the WebSocket upgrade,
``connection_init`` and its ack, ``subscribe``) under this span when the app traces, and
sends the span's ``traceparent`` on the upgrade request, so the subgraph's spans for the
subscription join the router's trace as they do for ``router.fetch``. The span ends once the
subscription is open: the events that follow are not traced.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from opentelemetry.trace import SpanKind, Status, StatusCode, Tracer

from router.errors import SubgraphUnavailable
from router.telemetry.tracing import inject_trace_headers


@contextmanager
def opening_subscription(
    tracer: Tracer | None, subgraph: str, operation_name: str | None, url: str
) -> Iterator[dict[str, str]]:
    """Headers for the WebSocket upgrade to ``url``: the trace context of the
    ``router.subscribe`` span, current for the block (no span and no headers without a
    tracer)."""
    if tracer is None:
        yield {}
        return
    with tracer.start_as_current_span(
        "router.subscribe",
        kind=SpanKind.CLIENT,
        attributes={"ehb.subgraph": subgraph, "url.full": url},
        record_exception=False,
        set_status_on_exception=False,
    ) as span:
        if operation_name is not None:
            span.set_attribute("graphql.operation.name", operation_name)
        headers: dict[str, str] = {}
        inject_trace_headers(headers)
        try:
            yield headers
        except SubgraphUnavailable as error:
            span.set_status(Status(StatusCode.ERROR, error.reason))
            span.set_attribute("error.type", "SubgraphUnavailable")
            raise
