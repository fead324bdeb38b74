"""What the observability app holds while it runs: the probe HTTP client, the targets and the
probe policy; and how a round of probes is run and kept.

`observer_lifespan` is the app's `lifespan` hook: the aiohttp session opens after the kernel's
resources (the database) and closes before them.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass

import aiohttp
from starlette.applications import Starlette
from starlette.requests import HTTPConnection

from subgraphs.kernel.app import Lifespan
from subgraphs.kernel.db import Database
from subgraphs.observability.probe import ProbePolicy, ProbeResult, probe_all
from subgraphs.observability.services import record_checks
from subgraphs.observability.settings import ObservabilitySettings, ProbeTarget

USER_AGENT = "ehb5-observability"


@dataclass(frozen=True, slots=True)
class Observer:
    """The running app's probe client with its targets and policy (on `app.state.observer`)."""

    http: aiohttp.ClientSession
    targets: tuple[ProbeTarget, ...]
    policy: ProbePolicy


def observer_lifespan(settings: ObservabilitySettings) -> Lifespan:
    """The lifespan hook opening (and closing) the probe client as `app.state.observer`."""
    targets = settings.targets()  # fail at start-up, not on the first query, when misconfigured
    policy = ProbePolicy(
        timeout_seconds=settings.timeout_seconds,
        degraded_latency_ms=settings.degraded_latency_ms,
    )

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with _client() as http:
            app.state.observer = Observer(http=http, targets=targets, policy=policy)
            yield

    return lifespan


def _client() -> AbstractAsyncContextManager[aiohttp.ClientSession]:
    return aiohttp.ClientSession(headers={"User-Agent": USER_AGENT, "Accept": "application/json"})


def observer_of(request: HTTPConnection) -> Observer:
    observer: Observer = request.app.state.observer
    return observer


async def probe_and_record(request: HTTPConnection) -> list[ProbeResult]:
    """Probe every target now and keep the results as history.

    The history is an observation log, not part of the request's unit of work (queries always
    roll back), so it is written in its own short transaction.
    """
    observer = observer_of(request)
    results = await probe_all(observer.http, observer.targets, observer.policy)
    database: Database = request.app.state.database
    async with database.sessions() as session:
        await record_checks(session, results=results)
        await session.commit()
    return results
