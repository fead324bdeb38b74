"""A subgraph's traces and request metrics (docs/telemetry.md).

Tracing is off unless configured, and then costs nothing: no SDK, no span, one attribute check
per request. It is on when `EHB_OTLP_TRACES_ENDPOINT` (an OTLP/HTTP traces URL) is set, or when
the standard variables say so (`OTEL_TRACES_EXPORTER=otlp`, `OTEL_EXPORTER_OTLP_ENDPOINT`,
`OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`; `OTEL_TRACES_EXPORTER=none` or `OTEL_SDK_DISABLED=true`
keep it off). Service name: `OTEL_SERVICE_NAME`, else `ehb-<subgraph>`. Spans are batched and
sent over OTLP/HTTP (protobuf; the exporter reads the other `OTEL_EXPORTER_OTLP_*` variables);
the lifespan flushes them when the app stops.

While tracing, each HTTP GraphQL request is a `subgraph.request` span continuing the caller's
W3C `traceparent` (the router's fetch span) and current while the request is answered, and
each SQL statement is a child span (subgraphs.kernel.statement_timing). A WebSocket connection
to `/graphql` (the router opens one per upstream subscription) is a `subgraph.websocket` span
continuing the upgrade request's `traceparent` (the router's `router.subscribe` span), current
while the connection is served, with its SQL statements beneath. Metrics
(subgraphs.kernel.metrics) count every HTTP GraphQL request by operation name.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Mapping
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from cross_web import AsyncHTTPRequestAdapter
from opentelemetry.trace import SpanKind, Status, StatusCode, Tracer
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.types import ExecutionResult

from subgraphs.kernel.context import SubgraphContext
from subgraphs.kernel.metrics import SubgraphMetrics
from subgraphs.kernel.settings import Settings
from subgraphs.kernel.statement_timing import count_statements_per_request, tracing_statements

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import TracerProvider

INSTRUMENTATION_NAME = "ehb.subgraph"
_STANDARD_ENDPOINTS = ("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT")
_PROPAGATOR = TraceContextTextMapPropagator()


def tracing_wanted(settings: Settings, env: Mapping[str, str]) -> bool:
    """Whether to export traces; raises `ValueError` for an exporter we cannot use."""
    if (env.get("OTEL_SDK_DISABLED") or "").strip().lower() == "true":
        return False
    exporter = (env.get("OTEL_TRACES_EXPORTER") or "").strip().lower()
    if exporter == "none":
        return False
    if exporter not in {"", "otlp"}:
        raise ValueError(f"OTEL_TRACES_EXPORTER must be otlp or none, got {exporter!r}")
    wanted = (
        exporter == "otlp"
        or settings.otlp_traces_endpoint is not None
        or any((env.get(name) or "").strip() for name in _STANDARD_ENDPOINTS)
    )
    protocol = (
        env.get("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL") or env.get("OTEL_EXPORTER_OTLP_PROTOCOL")
    ) or "http/protobuf"
    if wanted and protocol.strip() != "http/protobuf":
        raise ValueError(
            f"OTEL_EXPORTER_OTLP_PROTOCOL must be http/protobuf (gRPC is not supported), "
            f"got {protocol!r}"
        )
    return wanted


class SubgraphTelemetry:
    """One subgraph app's metrics (None: `EHB_METRICS=0`) and tracer (None until the lifespan
    starts it, and always None with tracing off)."""

    def __init__(self, name: str, settings: Settings, env: Mapping[str, str] | None = None) -> None:
        environ = os.environ if env is None else env
        self.metrics = (
            SubgraphMetrics(name, max_operations=settings.metrics_max_operations)
            if settings.metrics
            else None
        )
        self._tracing = tracing_wanted(settings, environ)
        self._service_name = (environ.get("OTEL_SERVICE_NAME") or "").strip() or f"ehb-{name}"
        self._endpoint = settings.otlp_traces_endpoint
        self._provider: TracerProvider | None = None
        self.tracer: Tracer | None = None

    def start(self, engine: AsyncEngine) -> None:
        """In the lifespan: start exporting (when tracing) and trace `engine`'s statements."""
        if not self._tracing:
            return
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        from opentelemetry.sdk.resources import SERVICE_NAME, Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor

        provider = TracerProvider(resource=Resource.create({SERVICE_NAME: self._service_name}))
        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=self._endpoint)))
        self._provider = provider
        self.tracer = provider.get_tracer(INSTRUMENTATION_NAME)
        count_statements_per_request(engine)

    async def shutdown(self) -> None:
        """Export the spans still queued (off the event loop: it may block), then stop."""
        provider, self._provider, self.tracer = self._provider, None, None
        if provider is not None:
            await asyncio.to_thread(provider.shutdown)


class _Observation:
    __slots__ = ("failed", "operation", "status")

    def __init__(self) -> None:
        self.operation: str | None = None
        self.failed = False
        self.status = 500  # until the response starts


# The HTTP request being answered in this context (None: nobody observes).
_current: ContextVar[_Observation | None] = ContextVar("ehb_subgraph_request", default=None)


class ObservedEndpoint:
    """The `/graphql` ASGI endpoint with each HTTP request traced and counted, and each
    WebSocket connection traced."""

    def __init__(self, app: ASGIApp, telemetry: SubgraphTelemetry) -> None:
        self._app = app
        self._telemetry = telemetry

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        metrics, tracer = self._telemetry.metrics, self._telemetry.tracer
        if scope["type"] == "websocket" and tracer is not None:
            await self._traced_websocket(tracer, scope, receive, send)
            return
        if scope["type"] != "http" or (metrics is None and tracer is None):
            await self._app(scope, receive, send)
            return
        observation = _Observation()
        token = _current.set(observation)

        async def observed_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                observation.status = message["status"]
            await send(message)

        started = time.perf_counter()
        try:
            if tracer is None:
                await self._app(scope, receive, observed_send)
            else:
                await self._traced(tracer, scope, receive, observed_send, observation)
        finally:
            _current.reset(token)
            if metrics is not None:
                metrics.request_answered(
                    observation.operation,
                    time.perf_counter() - started,
                    failed=observation.failed or observation.status >= 400,
                )

    async def _traced(
        self, tracer: Tracer, scope: Scope, receive: Receive, send: Send, observation: _Observation
    ) -> None:
        with (
            tracer.start_as_current_span(
                "subgraph.request",
                context=_PROPAGATOR.extract(Headers(scope=scope)),
                kind=SpanKind.SERVER,
                attributes={"http.request.method": scope["method"], "url.path": scope["path"]},
            ) as span,
            tracing_statements(tracer),
        ):
            await self._app(scope, receive, send)
            status = observation.status
            attributes: dict[str, Any] = {"http.response.status_code": status}
            if observation.operation is not None:
                attributes["graphql.operation.name"] = observation.operation
            if observation.failed:
                attributes["ehb.graphql.errors"] = True
            span.set_attributes(attributes)
            if status >= 500:
                span.set_status(Status(StatusCode.ERROR))

    async def _traced_websocket(
        self, tracer: Tracer, scope: Scope, receive: Receive, send: Send
    ) -> None:
        with (
            tracer.start_as_current_span(
                "subgraph.websocket",
                context=_PROPAGATOR.extract(Headers(scope=scope)),
                kind=SpanKind.SERVER,
                attributes={"url.path": scope["path"]},
            ),
            tracing_statements(tracer),
        ):
            await self._app(scope, receive, send)


class ObservedGraphQL(GraphQL[SubgraphContext, None]):
    """Strawberry's ASGI view telling the observed request its operation name and whether its
    result has errors."""

    async def parse_http_body(
        self, request: AsyncHTTPRequestAdapter
    ) -> GraphQLRequestData | list[GraphQLRequestData]:
        data = await super().parse_http_body(request)
        observation = _current.get()
        if observation is not None:
            observation.operation = (
                data.operation_name if isinstance(data, GraphQLRequestData) else "batch"
            )
        return data

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        if result.errors:
            observation = _current.get()
            if observation is not None:
                observation.failed = True
        return await super().process_result(request, result)
