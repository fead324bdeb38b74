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
    """Executions in flight by key; a finished one is forgotten at once (no response cache)."""

    def __init__(self) -> None:
        self._in_flight: dict[Hashable, asyncio.Future[Execution]] = {}

    @property
    def in_flight(self) -> int:
        return len(self._in_flight)

    async def run(self, key: Hashable, execute: Callable[[], Awaitable[Execution]]) -> Execution:
        shared = self._in_flight.get(key)
        if shared is None:
            shared = asyncio.ensure_future(execute())
            self._in_flight[key] = shared
            shared.add_done_callback(lambda done: self._forget(key, done))
        # A client that goes away must not cancel the execution the others wait for.
        return await asyncio.shield(shared)

    def _forget(self, key: Hashable, done: asyncio.Future[Execution]) -> None:
        self._in_flight.pop(key, None)
        if not done.cancelled():
            done.exception()  # retrieved: when every waiter left, nobody else would
