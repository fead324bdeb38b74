"""Probe health endpoints over HTTP: one GET each, all at once, with a deadline.

A probe never raises: an unreachable service is DOWN with the reason, a service that answers but
is not healthy (HTTP error, a body status other than pass/ok, or too slow) is DEGRADED.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import aiohttp
import orjson

from subgraphs.kernel.db import utcnow
from subgraphs.observability.models import ServiceHealth
from subgraphs.observability.settings import ProbeTarget

HEALTHY_STATUSES = frozenset({"pass", "ok", "up"})
MAX_VERSION_LENGTH = 64


@dataclass(frozen=True, slots=True)
class ProbeResult:
    name: str
    url: str
    health: ServiceHealth
    version: str | None
    latency_ms: int | None
    checked_at: datetime
    error: str | None


@dataclass(frozen=True, slots=True)
class ProbePolicy:
    timeout_seconds: float
    degraded_latency_ms: int


def _json_object(raw: bytes) -> dict[str, Any]:
    try:
        decoded = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return {}
    return decoded if isinstance(decoded, dict) else {}


def _version(body: dict[str, Any]) -> str | None:
    version = body.get("version")
    return version[:MAX_VERSION_LENGTH] if isinstance(version, str) and version else None


def _judge(
    http_status: int, body: dict[str, Any], latency_ms: int, policy: ProbePolicy
) -> tuple[ServiceHealth, str | None]:
    reported = body.get("status")
    if http_status >= 400:
        detail = f" (status {reported!r})" if reported is not None else ""
        return ServiceHealth.DEGRADED, f"HTTP {http_status}{detail}"
    if not isinstance(reported, str) or reported.lower() not in HEALTHY_STATUSES:
        return ServiceHealth.DEGRADED, f"health endpoint reports status {reported!r}"
    if latency_ms > policy.degraded_latency_ms:
        return (
            ServiceHealth.DEGRADED,
            f"answered in {latency_ms} ms (over {policy.degraded_latency_ms} ms)",
        )
    return ServiceHealth.UP, None


async def probe(
    http: aiohttp.ClientSession, target: ProbeTarget, policy: ProbePolicy
) -> ProbeResult:
    """GET `target.url` once and judge the answer."""
    checked_at = utcnow()
    started = time.perf_counter()
    try:
        async with http.get(
            target.url, timeout=aiohttp.ClientTimeout(total=policy.timeout_seconds)
        ) as response:
            raw = await response.read()
            http_status = response.status
    except TimeoutError:
        return _down(target, checked_at, f"no answer within {policy.timeout_seconds:g} s")
    except (aiohttp.ClientError, OSError) as exc:
        return _down(target, checked_at, f"{type(exc).__name__}: {exc}")
    latency_ms = round((time.perf_counter() - started) * 1000)
    body = _json_object(raw)
    health, error = _judge(http_status, body, latency_ms, policy)
    return ProbeResult(
        name=target.name,
        url=target.url,
        health=health,
        version=_version(body),
        latency_ms=latency_ms,
        checked_at=checked_at,
        error=error,
    )


def _down(target: ProbeTarget, checked_at: datetime, error: str) -> ProbeResult:
    return ProbeResult(
        name=target.name,
        url=target.url,
        health=ServiceHealth.DOWN,
        version=None,
        latency_ms=None,
        checked_at=checked_at,
        error=error,
    )


async def probe_all(
    http: aiohttp.ClientSession, targets: Iterable[ProbeTarget], policy: ProbePolicy
) -> list[ProbeResult]:
    """Every target probed concurrently; results in the targets' order."""
    return list(await asyncio.gather(*(probe(http, target, policy) for target in targets)))
