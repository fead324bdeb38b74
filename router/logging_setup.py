"""How ``ehb`` processes log: plain text lines, or one JSON object per line.

``EHB_LOG_FORMAT`` (``text``, the default, or ``json``), else ``log_format`` in the ``ehb.toml``
file (``router.config_file``). A JSON line holds ``timestamp`` (UTC, ISO 8601), ``level``,
``logger`` and ``message``; ``request_id`` while a request is being served (the request id
context variables given to ``configure_logging``: the router's ``REQUEST_ID``, and the
subgraphs' own, which the composition root ``router.cli`` passes in since subgraphs never import
the router); ``trace_id`` and ``span_id`` (hex) when an OpenTelemetry span is current; and
``exc_info`` with the traceback of a logged exception. Any ``extra={...}`` fields are kept.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Mapping, Sequence
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from opentelemetry import trace
from pythonjsonlogger.json import JsonFormatter

from router.config_file import LOG_FORMAT_ENV, file_log_format

LOG_FORMATS = ("text", "json")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

# The id of the request the router is serving (router.http sets it per request).
REQUEST_ID: ContextVar[str | None] = ContextVar("ehb_router_request_id", default=None)


def log_format(environ: Mapping[str, str] | None = None) -> str:
    """``EHB_LOG_FORMAT``, else the configuration file's ``log_format``, else ``text``."""
    env = os.environ if environ is None else environ
    chosen = (env.get(LOG_FORMAT_ENV) or "").strip().lower() or file_log_format(env) or "text"
    if chosen not in LOG_FORMATS:
        raise ValueError(f"{LOG_FORMAT_ENV} (or log_format) must be text or json, got {chosen!r}")
    return chosen


class RequestJsonFormatter(JsonFormatter):
    """One JSON object per record, with the request and trace ids of the moment."""

    def __init__(self, request_ids: Sequence[ContextVar[str | None]]) -> None:
        super().__init__(timestamp=False)
        self._request_ids = tuple(request_ids)

    def add_fields(
        self, log_data: dict[str, Any], record: logging.LogRecord, message_dict: dict[str, Any]
    ) -> None:
        super().add_fields(log_data, record, message_dict)
        fields: dict[str, Any] = {
            "timestamp": datetime.fromtimestamp(record.created, UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": log_data.pop("message", record.getMessage()),
        }
        for request_id in self._request_ids:
            value = request_id.get()
            if value is not None:
                fields["request_id"] = value
                break
        span_context = trace.get_current_span().get_span_context()
        if span_context.is_valid:
            fields["trace_id"] = format(span_context.trace_id, "032x")
            fields["span_id"] = format(span_context.span_id, "016x")
        log_data.pop("color_message", None)  # uvicorn's ANSI-coloured copy of the message
        fields.update(log_data)  # extra fields and exc_info after the fixed ones
        log_data.clear()
        log_data.update(fields)


def configure_logging(
    *,
    request_ids: Sequence[ContextVar[str | None]] = (REQUEST_ID,),
    level: int = logging.INFO,
    environ: Mapping[str, str] | None = None,
) -> str:
    """Send every log record (uvicorn's too) to stderr in the chosen format; returns it.

    Raises ``ValueError`` for an unknown format. Serve with uvicorn's ``log_config=None`` so it
    keeps these handlers."""
    chosen = log_format(environ)
    handler = logging.StreamHandler(sys.stderr)
    if chosen == "json":
        handler.setFormatter(RequestJsonFormatter(request_ids))
    else:
        handler.setFormatter(logging.Formatter(TEXT_FORMAT))
    root = logging.getLogger()
    for previous in list(root.handlers):
        root.removeHandler(previous)
    root.addHandler(handler)
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        uvicorn_logger = logging.getLogger(name)
        uvicorn_logger.handlers.clear()
        uvicorn_logger.propagate = True
    return chosen
