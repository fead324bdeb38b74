"""Reading the router's `Server-Timing` header and summarising samples."""

from __future__ import annotations

import math
from collections.abc import Sequence


def server_timing_durations(header_value: str) -> dict[str, float]:
    """Each metric's `dur` (milliseconds) in a `Server-Timing` value, e.g.
    `subgraphs;dur=1.2, total;dur=1.9` -> {"subgraphs": 1.2, "total": 1.9}. Metrics without a
    `dur`, or with one that is not a number, are left out."""
    durations: dict[str, float] = {}
    for metric in header_value.split(","):
        name, *parameters = (part.strip() for part in metric.split(";"))
        for parameter in parameters:
            key, _, value = parameter.partition("=")
            if key.strip().lower() == "dur" and name:
                try:
                    durations[name] = float(value.strip().strip('"'))
                except ValueError:
                    continue
    return durations


def router_overhead_ms(header_value: str | None) -> tuple[float, float] | None:
    """(router total, router overhead) in ms from the router's header: overhead is the total
    minus the time with at least one subgraph fetch in flight. None without both metrics."""
    if header_value is None:
        return None
    durations = server_timing_durations(header_value)
    if "total" not in durations or "subgraphs" not in durations:
        return None
    return durations["total"], durations["total"] - durations["subgraphs"]


def percentile(samples: Sequence[float], fraction: float) -> float:
    """The nearest-rank percentile (`fraction` 0.5: the median, 0.99: p99)."""
    if not samples:
        return math.nan
    ordered = sorted(samples)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


def spread(values: Sequence[int]) -> str:
    """`"7"` when every value is 7, `"7-9"` when they differ, `"-"` when there are none."""
    if not values:
        return "-"
    low, high = min(values), max(values)
    return str(low) if low == high else f"{low}-{high}"
