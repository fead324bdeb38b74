"""The calls the engine and the HTTP fetcher make into telemetry: a leaf module (it imports no
other router layer), so the executor and transport may call it without depending on the HTTP
layer. Each returns at once when nothing observes (no tracer running in the process, no
request being planned under ``router.telemetry.requests.planning``).
"""

from __future__ import annotations

from collections.abc import MutableMapping
from contextvars import ContextVar

from opentelemetry.trace import get_current_span

from router.telemetry.tracing import inject_trace_headers, tracing_active

_Answer = tuple[int, bytes]
# Set by the engine when a plan is computed rather than found in its cache.
plan_cache_miss: ContextVar[bool] = ContextVar("ehb_plan_cache_miss", default=False)


def plan_cache_missed() -> None:
    """The engine computed a plan instead of finding it in its cache."""
    plan_cache_miss.set(True)


def add_trace_headers(headers: MutableMapping[str, str]) -> None:
    """Outgoing subgraph request ``headers``: pass the current span's trace on
    (``traceparent``), so the subgraph's spans join the router's trace."""
    if tracing_active():
        inject_trace_headers(headers)


def record_answer(url: str, answer: _Answer) -> _Answer:
    """The subgraph instance at ``url`` answered (HTTP status, body): noted on the current
    fetch span; returns ``answer``."""
    if tracing_active():
        span = get_current_span()
        if span.is_recording():
            span.set_attributes({"url.full": url, "http.response.status_code": answer[0]})
    return answer
