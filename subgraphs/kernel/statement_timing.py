"""Opt-in SQL accounting per GraphQL request: how many statements a request sent, and how long
they took, reported in the response's `Server-Timing` header (`EHB_SQL_STATEMENT_TIMING=1`).

    Server-Timing: db;dur=1.234;desc="3 statements"

`dur` is milliseconds between each statement's `before_cursor_execute` and
`after_cursor_execute` events, summed (statements of one request run one at a time on its
session). Only statements sent while the request is being answered count: the request's tally
lives in a context variable, which the resolvers' tasks and SQLAlchemy's greenlets inherit, so
the outbox relay and other background work of the process never count. Commits and rollbacks
are not statements (the driver's own calls). Off by default: the engine then has no listener.

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

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.types import Message, Send

SERVER_TIMING_HEADER = "server-timing"
METRIC_NAME = "db"
_START_TIMES_KEY = "ehb.statement_start_times"
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


def _before_cursor_execute(conn: Any, *_args: Any) -> None:
    if _current_tally.get() is not None:
        conn.info.setdefault(_START_TIMES_KEY, []).append(time.perf_counter())


def _after_cursor_execute(conn: Any, *_args: Any) -> None:
    tally = _current_tally.get()
    started: list[float] = conn.info.get(_START_TIMES_KEY, [])
    if tally is None or not started:
        return
    tally.statements += 1
    tally.seconds += time.perf_counter() - started.pop()


def count_statements_per_request(engine: AsyncEngine) -> None:
    """Listen to `engine`'s statements (called once, when the engine is opened)."""
    event.listen(engine.sync_engine, "before_cursor_execute", _before_cursor_execute)
    event.listen(engine.sync_engine, "after_cursor_execute", _after_cursor_execute)


@contextmanager
def tallying() -> Iterator[StatementTally]:
    """Count the statements sent in this context (and the tasks it starts) while open."""
    tally = StatementTally()
    token = _current_tally.set(tally)
    try:
        yield tally
    finally:
        _current_tally.reset(token)


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
