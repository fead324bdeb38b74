"""SQL statements per GraphQL request: how many a request sent and how long they took, reported
in the response's `Server-Timing` header (opt-in: `EHB_SQL_STATEMENT_TIMING=1`), and one
OpenTelemetry span per statement while tracing is on (subgraphs.kernel.telemetry).

    Server-Timing: db;dur=1.234;desc="3 statements"

`dur` is milliseconds between each statement's `before_cursor_execute` and
`after_cursor_execute` events, summed (statements of one request run one at a time on its
session). Only statements sent while the request is being answered count: the request's tally
lives in a context variable, which the resolvers' tasks and SQLAlchemy's greenlets inherit, so
the outbox relay and other background work of the process never count. Commits and rollbacks
are not statements (the driver's own calls). Off by default: the engine then has no listener.

Spans work the same way: the request's tracer lives in a context variable while the request is
answered (`tracing_statements`), so each statement's span is a child of the request's span. A
span carries `db.system` and the statement's text with its placeholders (never the parameter
values); a statement that fails ends its span with an error status.

It exists to prove that a request's number of statements does not grow with list sizes
(no N+1: `bench/dashboard/`).
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from opentelemetry.trace import Span, SpanKind, Status, StatusCode, Tracer
from sqlalchemy import event
from sqlalchemy.engine import ExceptionContext
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.types import Message, Send

SERVER_TIMING_HEADER = "server-timing"
METRIC_NAME = "db"
_STARTED_KEY = "ehb.statements_started"
_HEADER_PATTERN = re.compile(r'(?:^|,)\s*db;dur=([0-9.]+);desc="(\d+) statements?"')


@dataclass(slots=True)
class StatementTally:
    """The statements of one request so far."""

    statements: int = 0
    seconds: float = 0.0

    def header_value(self) -> str:
        noun = "statement" if self.statements == 1 else "statements"
        return f'{METRIC_NAME};dur={self.seconds * 1000:.3f};desc="{self.statements} {noun}"'


_current_tally: ContextVar[StatementTally | None] = ContextVar("ehb_statement_tally", default=None)


_current_tracer: ContextVar[Tracer | None] = ContextVar("ehb_statement_tracer", default=None)


def _before_cursor_execute(conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
    tally = _current_tally.get()
    tracer = _current_tracer.get()
    if tally is None and tracer is None:
        return
    span: Span | None = None
    if tracer is not None:
        span = tracer.start_span(
            statement.split(None, 1)[0].upper() if statement.strip() else "SQL",
            kind=SpanKind.CLIENT,
            attributes={"db.system": conn.dialect.name, "db.statement": statement},
        )
    conn.info.setdefault(_STARTED_KEY, []).append((time.perf_counter(), span))


def _after_cursor_execute(conn: Any, *_args: Any) -> None:
    started: list[tuple[float, Span | None]] = conn.info.get(_STARTED_KEY, [])
    if not started:
        return
    since, span = started.pop()
    tally = _current_tally.get()
    if tally is not None:
        tally.statements += 1
        tally.seconds += time.perf_counter() - since
    if span is not None:
        span.end()


def _statement_failed(context: ExceptionContext) -> None:
    connection = context.connection
    if connection is None or context.statement is None:
        return
    started: list[tuple[float, Span | None]] = connection.info.get(_STARTED_KEY, [])
    if not started:
        return
    _, span = started.pop()
    if span is not None:
        error = context.original_exception
        span.set_status(Status(StatusCode.ERROR, type(error).__name__))
        span.set_attribute("error.type", type(error).__name__)
        span.end()


def count_statements_per_request(engine: AsyncEngine) -> None:
    """Listen to `engine`'s statements (when the engine is opened; a second call changes
    nothing, so statement timing and tracing may both ask)."""
    target = engine.sync_engine
    if event.contains(target, "before_cursor_execute", _before_cursor_execute):
        return
    event.listen(target, "before_cursor_execute", _before_cursor_execute)
    event.listen(target, "after_cursor_execute", _after_cursor_execute)
    event.listen(target, "handle_error", _statement_failed)


def listening(engine: AsyncEngine) -> bool:
    """Whether `engine`'s statements are observed (not at all unless timing or tracing is on)."""
    return event.contains(engine.sync_engine, "before_cursor_execute", _before_cursor_execute)


@contextmanager
def tallying() -> Iterator[StatementTally]:
    """Count the statements sent in this context (and the tasks it starts) while open."""
    tally = StatementTally()
    token = _current_tally.set(tally)
    try:
        yield tally
    finally:
        _current_tally.reset(token)


@contextmanager
def tracing_statements(tracer: Tracer) -> Iterator[None]:
    """Give each statement sent in this context (and the tasks it starts) a span from `tracer`,
    a child of the current span."""
    token = _current_tracer.set(tracer)
    try:
        yield
    finally:
        _current_tracer.reset(token)


def reporting_send(send: Send, tally: StatementTally) -> Send:
    """`send`, adding the tally's `Server-Timing` metric to the response's headers (an existing
    `Server-Timing` header is kept: a second header line is the same as a comma-joined one)."""

    async def send_with_timing(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = list(message.get("headers", []))
            headers.append((SERVER_TIMING_HEADER.encode(), tally.header_value().encode()))
            message = {**message, "headers": headers}
        await send(message)

    return send_with_timing


def parse_statement_timing(header_value: str) -> tuple[int, float] | None:
    """(statements, milliseconds) from a `Server-Timing` header value; None without `db`."""
    match = _HEADER_PATTERN.search(header_value)
    if match is None:
        return None
    return int(match.group(2)), float(match.group(1))
