"""Observing client requests: the ``router.request`` and ``router.plan`` spans and the request
metrics, around the ``/graphql`` endpoint.

``observed(endpoint)`` wraps the endpoint: it continues the caller's trace (``traceparent``),
keeps ``router.request`` the current span while the endpoint runs, and records the request's
metrics when it answers. The endpoint tells it what it learnt on the way with
``observe_operation`` (after planning) and ``observe_result`` (the response body); both are
no-ops for apps without telemetry (test apps with a stand-in engine).
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Mapping
from types import TracebackType
from typing import Any

from opentelemetry.trace import SpanKind, Status, StatusCode, get_current_span
from prometheus_client import CollectorRegistry
from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket

from router.config import REQUEST_ID_HEADER
from router.telemetry.exposition import TELEMETRY_STATE_KEY
from router.telemetry.hooks import plan_cache_miss
from router.telemetry.metrics import RouterMetrics
from router.telemetry.tracing import Tracing, extract_context

Endpoint = Callable[[Request], Awaitable[Response]]
_OBSERVATION_KEY = "ehb.observation"


class RouterTelemetry:
    """What one router app records: metrics (None: ``EHB_ROUTER_METRICS=0``) and traces
    (None: tracing off). Created in the lifespan, in each worker process."""

    def __init__(self, metrics: RouterMetrics | None, tracing: Tracing | None) -> None:
        self.metrics = metrics
        self.tracing = tracing
        self.tracer = None if tracing is None else tracing.tracer

    @property
    def registry(self) -> CollectorRegistry | None:
        return None if self.metrics is None else self.metrics.registry

    async def shutdown(self) -> None:
        if self.tracing is not None:
            await self.tracing.shutdown()

    async def observe(self, request: Request, endpoint: Endpoint) -> Response:
        observation = _Observation()
        request.scope[_OBSERVATION_KEY] = observation
        started = time.perf_counter()
        try:
            if self.tracer is None:
                response = await endpoint(request)
            else:
                response = await self._traced(request, endpoint, observation)
        except Exception:
            self._answered(observation, started, failed=True)
            raise
        self._answered(
            observation, started, failed=observation.failed or response.status_code >= 400
        )
        return response

    def _answered(self, observation: _Observation, started: float, *, failed: bool) -> None:
        if self.metrics is not None:
            self.metrics.request_answered(
                observation.operation_name,
                observation.operation_type,
                time.perf_counter() - started,
                failed=failed,
            )

    async def _traced(
        self, request: Request, endpoint: Endpoint, observation: _Observation
    ) -> Response:
        assert self.tracer is not None
        with self.tracer.start_as_current_span(
            "router.request",
            context=extract_context(request.headers),
            kind=SpanKind.SERVER,
            attributes={"http.request.method": request.method, "url.path": request.url.path},
        ) as span:
            response = await endpoint(request)
            attributes: dict[str, Any] = {
                "http.response.status_code": response.status_code,
                "graphql.operation.type": observation.operation_type,
            }
            if observation.operation_name is not None:
                attributes["graphql.operation.name"] = observation.operation_name
            request_id = response.headers.get(REQUEST_ID_HEADER)
            if request_id is not None:
                attributes["ehb.request_id"] = request_id
            span.set_attributes(attributes)
            if response.status_code >= 500:
                span.set_status(Status(StatusCode.ERROR))
            return response


class _Observation:
    __slots__ = ("failed", "operation_name", "operation_type")

    def __init__(self) -> None:
        self.operation_name: str | None = None
        self.operation_type = "unknown"
        self.failed = False


def observed(endpoint: Endpoint) -> Endpoint:
    """``endpoint`` with its requests traced and counted (when the app has telemetry)."""

    async def observed_endpoint(request: Request) -> Response:
        state = request.scope.get("state")
        telemetry = None if state is None else state.get(TELEMETRY_STATE_KEY)
        if telemetry is None:
            return await endpoint(request)
        observing: RouterTelemetry = telemetry
        return await observing.observe(request, endpoint)

    return observed_endpoint


def observe_operation(request: Request, operation_name: str | None, prepared: object) -> None:
    """The endpoint planned the request's operation: name it (the client's ``operationName``,
    else the document's own name) and its type for the span and the metrics."""
    observation = request.scope.get(_OBSERVATION_KEY)
    if observation is None:
        return
    if operation_name is None:
        # router.executor's PreparedOperation; the HTTP layer's protocol only promises a type.
        operation_name = getattr(getattr(prepared, "operation", None), "name", None)
    observation.operation_name = operation_name
    observation.operation_type = getattr(prepared, "operation_type", "unknown")


def observe_result(request: Request, body: Mapping[str, Any]) -> None:
    """The response body the endpoint is about to send: errors make the request a failure."""
    observation = request.scope.get(_OBSERVATION_KEY)
    if observation is not None and "errors" in body:
        observation.failed = True


class planning:  # lower case: used like a function, ``with planning(request):``
    """The ``router.plan`` span (and the plan cache metric) around preparing the operation."""

    __slots__ = ("_span_scope", "_telemetry")

    def __init__(self, request: Request) -> None:
        state = request.scope.get("state")
        self._telemetry: RouterTelemetry | None = (
            None if state is None else state.get(TELEMETRY_STATE_KEY)
        )
        self._span_scope: Any = None

    def __enter__(self) -> None:
        telemetry = self._telemetry
        if telemetry is None:
            return
        plan_cache_miss.set(False)
        if telemetry.tracer is not None:
            self._span_scope = telemetry.tracer.start_as_current_span(
                "router.plan", record_exception=False, set_status_on_exception=False
            )
            self._span_scope.__enter__()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        telemetry = self._telemetry
        if telemetry is None:
            return
        cache_hit = not plan_cache_miss.get()
        if self._span_scope is not None:
            span = get_current_span()
            span.set_attribute("ehb.plan.cache_hit", cache_hit)
            if exc is not None:
                span.set_attribute("error.type", type(exc).__name__)
            self._span_scope.__exit__(exc_type, exc, traceback)
        if not cache_hit and exc is None and telemetry.metrics is not None:
            telemetry.metrics.plan_cache_misses.inc()


WebSocketEndpoint = Callable[[WebSocket], Awaitable[None]]


def observed_websocket(endpoint: WebSocketEndpoint) -> WebSocketEndpoint:
    """``endpoint`` with its open connections counted (``ehb_router_websocket_connections``)."""

    async def observed_websocket_endpoint(websocket: WebSocket) -> None:
        state = websocket.scope.get("state")
        telemetry = None if state is None else state.get(TELEMETRY_STATE_KEY)
        metrics = None if telemetry is None else telemetry.metrics
        if metrics is None:
            await endpoint(websocket)
            return
        metrics.websockets.inc()
        try:
            await endpoint(websocket)
        finally:
            metrics.websockets.dec()

    return observed_websocket_endpoint
