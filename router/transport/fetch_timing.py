"""Wall time during which at least one subgraph fetch of a request was in flight.

The HTTP endpoint opens a ``FetchTiming`` for a request (only with ``Server-Timing`` switched
on); ``HttpSubgraphFetcher`` marks each fetch's start and end on the one found in the running
context. Overlapping fetches count once: the figure is the time the request waited on subgraphs,
so the request's total time minus it is the router's own overhead.
"""

from __future__ import annotations

import time
from contextvars import ContextVar


class FetchTiming:
    __slots__ = ("_in_flight", "_since", "busy_seconds")

    def __init__(self) -> None:
        self._in_flight = 0
        self._since = 0.0
        self.busy_seconds = 0.0

    def started(self) -> None:
        if self._in_flight == 0:
            self._since = time.perf_counter()
        self._in_flight += 1

    def finished(self) -> None:
        self._in_flight -= 1
        if self._in_flight == 0:
            self.busy_seconds += time.perf_counter() - self._since


# None (the default): nobody measures this request, fetches skip the bookkeeping.
current_fetch_timing: ContextVar[FetchTiming | None] = ContextVar(
    "current_fetch_timing", default=None
)
