"""Health probes: is a subgraph answering GraphQL? Works for any subgraph, not only ours."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Literal

from router.errors import SubgraphUnavailable
from router.transport.http_fetcher import HttpSubgraphFetcher
from router.types import RequestContext, SubgraphRequest

PROBE_QUERY = "query HealthProbe { __typename }"


@dataclass(frozen=True, slots=True)
class SubgraphHealth:
    status: Literal["pass", "fail"]
    latency_ms: float
    reason: str | None = None


async def probe_subgraph(
    fetcher: HttpSubgraphFetcher,
    subgraph: str,
    *,
    timeout_seconds: float,
    request_id: str = "",
) -> SubgraphHealth:
    started = time.perf_counter()
    try:
        response = await fetcher.fetch(
            subgraph,
            SubgraphRequest(
                query=PROBE_QUERY, operation_name="HealthProbe", operation_kind="query"
            ),
            RequestContext(request_id=request_id),
            timeout_seconds=timeout_seconds,
        )
    except SubgraphUnavailable as error:
        return SubgraphHealth("fail", _elapsed_ms(started), error.reason)
    latency_ms = _elapsed_ms(started)
    data = response.get("data")
    if isinstance(data, dict) and isinstance(data.get("__typename"), str):
        return SubgraphHealth("pass", latency_ms)
    errors = response.get("errors") or [{}]
    message = errors[0].get("message") if isinstance(errors[0], dict) else None
    return SubgraphHealth("fail", latency_ms, f"GraphQL error: {message or 'no data'}")


def _elapsed_ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 2)
