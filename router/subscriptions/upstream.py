"""Upstream subscriptions shared between clients.

Clients whose subscriptions need the same upstream subscription (same subgraph, operation,
variables and forwarded headers, so the same auth context) share one: one WebSocket to the
subgraph, whose events are fanned out to every listener's queue. The last listener leaving
tears the upstream down; an upstream that ends (completes, fails, closes) ends every listener
with that outcome and is forgotten, so the next client opens a fresh one.

An upstream opens on the subgraph's next healthy instance (``SubgraphInstances``); when its
WebSocket cannot be opened there, that instance is taken out and the next one is tried.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, Literal

import aiohttp
import orjson
from opentelemetry.trace import Tracer

from router.errors import SubgraphUnavailable
from router.transport.instances import Instance, SubgraphInstances, every_instance_out
from router.transport.ws_client import (
    SubscriptionRefused,
    WebSocketNotOpened,
    subscribe_over_websocket,
)
from router.types import JSONObject, SubgraphRequest

logger = logging.getLogger(__name__)

# Events a slow listener may have waiting before it is dropped (rather than buffering forever).
LISTENER_QUEUE_SIZE = 1024


@dataclass(frozen=True, slots=True)
class UpstreamEnd:
    """How an upstream subscription ended: ``complete``, or ``error`` with GraphQL errors."""

    kind: Literal["complete", "error"]
    errors: tuple[dict[str, Any], ...] = ()


UpstreamItem = JSONObject | UpstreamEnd
_Key = tuple[str, bytes, tuple[tuple[str, str], ...]]


@dataclass(eq=False)
class _Shared:
    key: _Key
    listeners: set[asyncio.Queue[UpstreamItem]] = field(default_factory=set)
    task: asyncio.Task[None] | None = None


class UpstreamSubscriptions:
    """Opens, shares and closes upstream subscriptions (``listen``)."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        subgraph_urls: Mapping[str, str | Sequence[str]] | SubgraphInstances,
        *,
        connect_timeout_seconds: float,
        keepalive_seconds: float,
        tracer: Tracer | None = None,
    ) -> None:
        self._session = session
        # When the router traces: opening an upstream is a router.subscribe span.
        self._tracer = tracer
        self.instances = (
            subgraph_urls
            if isinstance(subgraph_urls, SubgraphInstances)
            else SubgraphInstances(subgraph_urls)
        )
        self._connect_timeout = connect_timeout_seconds
        self._keepalive = keepalive_seconds
        self._shared: dict[_Key, _Shared] = {}
        self.opened = 0  # upstream subscriptions opened so far (for tests and metrics)

    def set_endpoints(self, endpoints: Mapping[str, str | Sequence[str]]) -> None:
        """Open upstreams on these URLs from now on; open ones stay where they are."""
        self.instances.set_endpoints(endpoints)

    @property
    def active(self) -> int:
        return len(self._shared)

    @asynccontextmanager
    async def listen(
        self,
        subgraph: str,
        request: SubgraphRequest,
        connection_payload: Mapping[str, str],
    ) -> AsyncIterator[asyncio.Queue[UpstreamItem]]:
        """A queue of the upstream's events (GraphQL responses), ending with one
        ``UpstreamEnd``; leaving the context stops listening (and closes the upstream when
        nobody else listens)."""
        key: _Key = (
            subgraph,
            orjson.dumps(
                [request.query, request.variables, request.operation_name],
                option=orjson.OPT_SORT_KEYS,
            ),
            tuple(sorted(connection_payload.items())),
        )
        shared = self._shared.get(key)
        if shared is None:
            shared = _Shared(key)
            self._shared[key] = shared
            self.opened += 1
            shared.task = asyncio.create_task(
                self._run(shared, subgraph, request, dict(connection_payload)),
                name=f"upstream subscription to {subgraph}",
            )
        # Listeners keep the shared key, not their own copy: orjson's bytes carry a 4 KiB buffer,
        # which would otherwise stay alive for as long as each subscriber does.
        key = shared.key
        queue: asyncio.Queue[UpstreamItem] = asyncio.Queue(LISTENER_QUEUE_SIZE)
        shared.listeners.add(queue)
        try:
            yield queue
        finally:
            shared.listeners.discard(queue)
            if not shared.listeners and self._shared.get(key) is shared:
                del self._shared[key]
                if shared.task is not None and not shared.task.done():
                    shared.task.cancel()

    async def close(self) -> None:
        """Cancel every upstream (on shutdown); listeners get an error end."""
        tasks = [s.task for s in self._shared.values() if s.task is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _run(
        self,
        shared: _Shared,
        subgraph: str,
        request: SubgraphRequest,
        connection_payload: dict[str, str],
    ) -> None:
        end = UpstreamEnd("complete")
        try:
            pool = self.instances.pool(subgraph)
            if pool is None:
                raise SubgraphUnavailable(subgraph, "the supergraph gives it no URL")
            instance = pool.choose()
            if instance is None:
                raise SubgraphUnavailable(subgraph, every_instance_out(pool))
            tried: list[Instance] = []
            while instance is not None:
                events = subscribe_over_websocket(
                    self._session,
                    subgraph,
                    instance.url,
                    request,
                    connection_payload=connection_payload,
                    connect_timeout_seconds=self._connect_timeout,
                    keepalive_seconds=self._keepalive,
                    tracer=self._tracer,
                )
                retry: Instance | None = None
                try:
                    async for event in events:
                        self._deliver(shared, event)
                except WebSocketNotOpened as error:
                    instance.take_out(error.reason)
                    tried.append(instance)
                    retry = pool.choose_untried(tried)
                    if retry is None:
                        raise
                finally:
                    if retry is None:
                        self._forget(shared)  # clients arriving from now on open a fresh one
                    await events.aclose()
                instance = retry
        except SubscriptionRefused as error:
            errors = error.errors or [{"message": str(error)}]
            end = UpstreamEnd("error", tuple(_with_service(e, subgraph) for e in errors))
        except SubgraphUnavailable as error:
            logger.info("upstream subscription ended: %s", error)
            end = UpstreamEnd("error", (_unavailable(subgraph, str(error)),))
        except asyncio.CancelledError:
            end = UpstreamEnd(
                "error", (_unavailable(subgraph, "the router is closing the subscription"),)
            )
            raise
        except Exception:
            logger.exception("upstream subscription to %s failed", subgraph)
            end = UpstreamEnd(
                "error", (_unavailable(subgraph, "the upstream subscription failed"),)
            )
        finally:
            self._forget(shared)
            for queue in list(shared.listeners):
                _put_end(queue, end)

    def _forget(self, shared: _Shared) -> None:
        if self._shared.get(shared.key) is shared:
            del self._shared[shared.key]

    def _deliver(self, shared: _Shared, event: JSONObject) -> None:
        for queue in list(shared.listeners):
            if queue.full():
                # A listener this far behind is dropped with an error rather than buffered.
                shared.listeners.discard(queue)
                _put_end(
                    queue,
                    UpstreamEnd(
                        "error",
                        (
                            {
                                "message": "the client fell too far behind the subscription",
                                "extensions": {"code": "INTERNAL_SERVER_ERROR"},
                            },
                        ),
                    ),
                )
                continue
            # Every listener merges the event into its own response: each gets its own copy.
            queue.put_nowait(event if len(shared.listeners) == 1 else _copy(event))


def _put_end(queue: asyncio.Queue[UpstreamItem], end: UpstreamEnd) -> None:
    while True:
        try:
            queue.put_nowait(end)
            return
        except asyncio.QueueFull:
            queue.get_nowait()  # the end matters more than the oldest event


def _copy(event: JSONObject) -> JSONObject:
    copied: JSONObject = orjson.loads(orjson.dumps(event))
    return copied


def _unavailable(subgraph: str, message: str) -> dict[str, Any]:
    return {
        "message": message,
        "extensions": {"code": "SUBGRAPH_UNAVAILABLE", "serviceName": subgraph},
    }


def _with_service(error: dict[str, Any], subgraph: str) -> dict[str, Any]:
    extensions = dict(error.get("extensions") or {})
    extensions["serviceName"] = subgraph
    return {**error, "extensions": extensions}
