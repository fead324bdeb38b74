"""The app's tracer as its connections find it: in the lifespan state, like the other
telemetry (``router.telemetry.exposition.TELEMETRY_STATE_KEY``). A leaf module, so the
subscription layer may use it without importing the HTTP layer."""

from __future__ import annotations

from opentelemetry.trace import Tracer
from starlette.requests import HTTPConnection

from router.telemetry.exposition import TELEMETRY_STATE_KEY


def app_tracer(connection: HTTPConnection) -> Tracer | None:
    """The tracer of the app serving ``connection`` (None: it does not trace)."""
    state = connection.scope.get("state") or {}
    telemetry = state.get(TELEMETRY_STATE_KEY)
    tracer: Tracer | None = None if telemetry is None else telemetry.tracer
    return tracer
