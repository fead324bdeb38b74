"""Continuous client load on the router while something breaks: every answer is checked
against the benchmark oracle (tests/fixtures/benchmark/oracle.py)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import orjson
from graphql import graphql_sync

from tests.fixtures.benchmark.data import FIXTURE_DIR
from tests.fixtures.benchmark.oracle import build

QUERY = (FIXTURE_DIR / "query.graphql").read_text()
EXPECTED = graphql_sync(build((FIXTURE_DIR / "api.graphql").read_text()), QUERY).data
FIRST_ANSWER_SECONDS = 30.0


@dataclass
class LoadResult:
    answered: int = 0
    answered_before_fault: int = 0
    failures: list[str] = field(default_factory=list)
    first_answer: asyncio.Event = field(default_factory=asyncio.Event)


async def load_with_fault(
    graphql_url: str,
    fault: Callable[[], None],
    *,
    clients: int,
    seconds: float,
    fault_after_seconds: float,
    query: str = QUERY,
    expected: Any = EXPECTED,
) -> LoadResult:
    """``clients`` loops posting ``query`` (default: the benchmark query) for ``seconds``, each
    answer checked against ``expected``; ``fault`` is called ``fault_after_seconds`` in, or,
    on a machine too busy to have answered anything by then, once the first answer is in (the
    load then runs ``seconds - fault_after_seconds`` after the fault either way)."""
    result = LoadResult()
    stop = asyncio.Event()
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=clients)) as session:
        loops = [
            asyncio.create_task(_client(session, graphql_url, stop, result, query, expected))
            for _ in range(clients)
        ]
        await asyncio.sleep(fault_after_seconds)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(result.first_answer.wait(), FIRST_ANSWER_SECONDS)
        result.answered_before_fault = result.answered
        fault()
        await asyncio.sleep(seconds - fault_after_seconds)
        stop.set()
        await asyncio.gather(*loops)
    return result


async def _client(
    session: aiohttp.ClientSession,
    url: str,
    stop: asyncio.Event,
    result: LoadResult,
    query: str,
    expected: Any,
) -> None:
    body = orjson.dumps({"query": query})
    headers = {"content-type": "application/json"}
    while not stop.is_set():
        try:
            async with session.post(url, data=body, headers=headers) as response:
                payload: dict[str, Any] = orjson.loads(await response.read())
        except aiohttp.ClientError as error:
            result.failures.append(f"client error: {error}")
            continue
        if response.status != 200 or "errors" in payload:
            result.failures.append(f"HTTP {response.status}: {payload.get('errors')}")
        elif payload.get("data") != expected:
            result.failures.append("wrong data")
        else:
            result.answered += 1
            result.first_answer.set()
