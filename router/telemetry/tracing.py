"""The router's OpenTelemetry tracer (only when tracing is on) and W3C trace-context headers.

The SDK is imported only when tracing starts. Nothing is installed globally: each app owns its
tracer provider (several routers may share a test process), while the current span lives in the
OpenTelemetry context as usual, so ``opentelemetry.trace.get_current_span()`` finds it anywhere
a request is being handled (log records take their trace id from there).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, MutableMapping
from typing import TYPE_CHECKING

from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from router.telemetry.settings import TracingSettings

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import TracerProvider

INSTRUMENTATION_NAME = "ehb.router"
_PROPAGATOR = TraceContextTextMapPropagator()
# Providers started and not shut down in this process: 0 lets the fetch hooks return at once.
_active = 0


class Tracing:
    """A started tracer provider: spans are batched and exported over OTLP/HTTP."""

    def __init__(self, provider: TracerProvider) -> None:
        self._provider = provider
        self.tracer = provider.get_tracer(INSTRUMENTATION_NAME)

    async def shutdown(self) -> None:
        """Export the spans still queued, then stop (off the event loop: it may block)."""
        global _active
        _active -= 1
        await asyncio.to_thread(self._provider.shutdown)


def start_tracing(settings: TracingSettings) -> Tracing | None:
    """None when tracing is off."""
    global _active
    if not settings.enabled:
        return None
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.resources import SERVICE_NAME, Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    provider = TracerProvider(resource=Resource.create({SERVICE_NAME: settings.service_name}))
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=settings.endpoint)))
    _active += 1
    return Tracing(provider)


def extract_context(headers: Mapping[str, str]) -> Context:
    """The trace an incoming ``traceparent`` header continues (an empty context without one)."""
    return _PROPAGATOR.extract(headers)


def inject_trace_headers(headers: MutableMapping[str, str]) -> None:
    """Add ``traceparent`` for the current span to outgoing ``headers`` (nothing without one)."""
    if _active:
        _PROPAGATOR.inject(headers)


def tracing_active() -> bool:
    """True while some tracer provider of this process is running."""
    return _active > 0


def current_span() -> trace.Span:
    return trace.get_current_span()
