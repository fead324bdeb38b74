"""``GET /metrics`` in the Prometheus text format, correct with ``ehb router --workers N``.

With several worker processes each one counts only its own requests, so a scrape (answered by
whichever worker accepts it) must add up all of them: prometheus-client's multiprocess mode
keeps every process's values in memory-mapped files under ``PROMETHEUS_MULTIPROC_DIR`` and the
scrape reads them all. ``prepare_worker_metrics`` switches that mode on before the workers are
forked (a fresh temporary directory, removed when the parent exits, unless the variable names
one; its leftover ``*.db`` files from an earlier run are removed so counters start at zero).
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client import values as prometheus_values
from prometheus_client.multiprocess import MultiProcessCollector
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

MULTIPROC_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"
TELEMETRY_STATE_KEY = "ehb.telemetry"


def multiprocess_directory() -> str | None:
    return os.environ.get(MULTIPROC_VARIABLE) or None


def prepare_worker_metrics(workers: int) -> None:
    """Before forking ``workers`` processes: make their metrics add up (see the module doc)."""
    directory = multiprocess_directory()
    if directory is None:
        if workers < 2:
            return
        directory = tempfile.mkdtemp(prefix="ehb-router-metrics-")
        atexit.register(shutil.rmtree, directory, True)
        os.environ[MULTIPROC_VARIABLE] = directory
    else:
        Path(directory).mkdir(parents=True, exist_ok=True)
        for stale in Path(directory).glob("*.db"):
            stale.unlink()
    if not getattr(prometheus_values.ValueClass, "_multiprocess", False):
        # prometheus-client picks its value class when imported, which may have been before
        # the variable was set: metrics created from now on (in the workers) use the files.
        prometheus_values.ValueClass = prometheus_values.MultiProcessValue()  # type: ignore[no-untyped-call]


def render_metrics(registry: CollectorRegistry) -> bytes:
    """This process's metrics, or every process's in multiprocess mode."""
    if multiprocess_directory() is None:
        return generate_latest(registry)
    combined = CollectorRegistry()
    MultiProcessCollector(combined)  # type: ignore[no-untyped-call]
    return generate_latest(combined)


async def metrics_endpoint(request: Request) -> Response:
    """No authentication: scrapers are expected on a private network (``EHB_ROUTER_METRICS=0``
    removes the endpoint's answers where they are not)."""
    state = request.scope.get("state") or {}
    telemetry = state.get(TELEMETRY_STATE_KEY)
    registry = None if telemetry is None else telemetry.registry
    if registry is None:
        return JSONResponse(
            {"error": "metrics are switched off (EHB_ROUTER_METRICS=0)"}, status_code=404
        )
    return Response(render_metrics(registry), media_type=CONTENT_TYPE_LATEST)
