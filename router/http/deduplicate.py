"""Identical concurrent client queries share one execution (on unless ``EHB_ROUTER_DEDUP=0``).

Two requests are identical when they run the same prepared operation (same document, operation
name, active override labels and authorization outcome) with the same variables, for the same
caller (the verified claims, or anonymous) with the same forwarded headers. Only queries are
shared: a mutation or subscription always runs once per request. The request that starts an
execution lends it its context (request id and client address sent to subgraphs); every request
still gets its own HTTP response, request id and, on an unexpected failure, its own error body.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import orjson

from router.auth import Principal


@dataclass(frozen=True, slots=True)
class Execution:
    """A finished execution: the GraphQL response body and the wall time spent waiting on
    subgraphs (0 when nobody measured it)."""

    body: dict[str, Any]
    subgraph_seconds: float = 0.0


def execution_key(
    prepared: object,
    variables: Mapping[str, Any] | None,
    principal: Principal | None,
    headers: Mapping[str, str],
    forwarded_headers: Sequence[str],
) -> Hashable | None:
    """What makes two query executions interchangeable; None: this one must run on its own.

    ``prepared`` is compared by identity: the engine's plan cache hands the same object to
    every request with the same document, operation name, labels and authorization outcome.
    """
    try:
        encoded_variables = (
            orjson.dumps(variables, option=orjson.OPT_SORT_KEYS) if variables else b""
        )
        caller = (
            None
            if principal is None
            else orjson.dumps(dict(principal.claims), option=orjson.OPT_SORT_KEYS)
        )
    except (orjson.JSONEncodeError, TypeError):
        return None  # values orjson cannot encode canonically: not worth sharing
    return (
        id(prepared),
        encoded_variables,
        caller,
        tuple(headers.get(name) for name in forwarded_headers),
    )


class QueryDeduplicator:
    """Executions in flight by key; a finished one is forgotten at once (no response cache).

    The first request of a key runs the execution itself, in its own task (so the common case,
    nothing shared, costs no extra task); identical requests meanwhile wait for its outcome.
    When that first request is cancelled (its server shutting down), the waiting ones are not:
    one of them runs the execution again.
    """

    def __init__(self) -> None:
        self._in_flight: dict[Hashable, asyncio.Future[Execution | None]] = {}

    @property
    def in_flight(self) -> int:
        return len(self._in_flight)

    async def run(self, key: Hashable, execute: Callable[[], Awaitable[Execution]]) -> Execution:
        while True:
            shared = self._in_flight.get(key)
            if shared is None:
                return await self._lead(key, execute)
            # A client that goes away must not cancel the execution the others wait for.
            execution = await asyncio.shield(shared)
            if execution is not None:
                return execution

    async def _lead(self, key: Hashable, execute: Callable[[], Awaitable[Execution]]) -> Execution:
        outcome: asyncio.Future[Execution | None] = asyncio.get_running_loop().create_future()
        self._in_flight[key] = outcome
        try:
            execution = await execute()
        except Exception as error:
            outcome.set_exception(error)
            outcome.exception()  # retrieved: there may be nobody waiting
            raise
        except BaseException:
            outcome.set_result(None)  # cancelled: whoever waits runs it again
            raise
        finally:
            if self._in_flight.get(key) is outcome:
                del self._in_flight[key]
        outcome.set_result(execution)
        return execution
