"""The event bus: broadcaster channels of JSON objects, opened in the app lifespan.

`open_event_bus(url)` yields an `EventBus` (`app.state.events`, `info.context.events`):
- `await bus.publish(channel, message)`: a dict, sent as JSON;
- `async with bus.subscribe(channel) as messages: async for message in messages: ...`;
- `bus.consume(types_prefix, handler)`: `await handler(envelope)` for each `domain-events`
  message whose `type` starts with the prefix; handlers must be idempotent (delivery is at least
  once), run one after another in arrival order, and a failing one is retried a few times with
  backoff, then logged and skipped.

`memory://` is one broadcaster per URL shared by every app of the process (`ehb dev` serves the
six subgraphs in one process; they must hear each other), reference-counted and closed with the
last app. Other URLs (`redis://`, `postgres://`) get a connection per app: instances meet
through the server, with backends that reconnect (`broadcast_backends.py`). When the server
cannot be reached, `subscribe` raises `EventsUnavailable` (a GraphQL error with that code), and a
subscription whose connection drops ends with it (messages may have been missed meanwhile);
`consume` subscribes again by itself.
`postgresql+asyncpg://` URLs are accepted and given to asyncpg as `postgresql://`. A
PostgreSQL NOTIFY payload is at most 8000 bytes: keep events small.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import orjson
from broadcaster import Broadcast
from broadcaster._base import Subscriber, Unsubscribed

from subgraphs.kernel.broadcast_backends import (
    ConnectionLost,
    PostgresBackend,
    ResilientRedisBackend,
)
from subgraphs.kernel.errors import EventsUnavailable

__all__ = ["DOMAIN_EVENTS", "EventBus", "Handler", "Messages", "open_event_bus"]

logger = logging.getLogger("subgraphs.kernel.bus")

DOMAIN_EVENTS = "domain-events"
"""The channel the outbox relays publish every domain event envelope to."""

Handler = Callable[[dict[str, Any]], Awaitable[None]]

HANDLER_ATTEMPTS = 3
HANDLER_FIRST_BACKOFF_SECONDS = 0.1
# The consumer subscribes again this often while the broadcaster is down (briefly: an event the
# relays publish once it is back, before the consumer is, reaches no consumer).
RESUBSCRIBE_FIRST_SECONDS = 0.1
RESUBSCRIBE_MAX_SECONDS = 1.0

UNAVAILABLE_MESSAGE = (
    "The event stream is unavailable: the subgraph cannot reach its event broadcaster. "
    "Subscribe again later."
)
LOST_MESSAGE = (
    "The event stream was interrupted: the subgraph lost its connection to the event "
    "broadcaster, so events may have been missed. Subscribe again."
)


def broadcast_url(url: str) -> str:
    """`url` as broadcaster wants it (`postgresql+asyncpg://` -> `postgresql://`)."""
    parts = urlsplit(url)
    scheme = parts.scheme.split("+", 1)[0]
    return urlunsplit((scheme, *parts[1:]))


def _decode(message: str | bytes) -> dict[str, Any] | None:
    try:
        decoded = orjson.loads(message)
    except orjson.JSONDecodeError:
        logger.warning("dropped a message that is not JSON: %.200r", message)
        return None
    if not isinstance(decoded, dict):
        logger.warning("dropped a message that is not a JSON object: %.200r", message)
        return None
    return decoded


class Messages:
    """The decoded messages of one subscription. Unlike an async generator, a cancelled
    `__anext__` (a timeout) leaves it usable. Raises `EventsUnavailable` when the broadcaster's
    connection dropped."""

    def __init__(self, subscriber: Subscriber) -> None:
        self._subscriber = subscriber

    def __aiter__(self) -> Messages:
        return self

    async def __anext__(self) -> dict[str, Any]:
        while True:
            try:
                event = await self._subscriber.get()
            except Unsubscribed:
                raise StopAsyncIteration from None
            if isinstance(event, ConnectionLost):
                raise EventsUnavailable(LOST_MESSAGE)
            decoded = _decode(event.message)
            if decoded is not None:
                return decoded


@dataclass(slots=True)
class _Consumer:
    prefix: str
    handler: Handler


@dataclass(eq=False, slots=True)
class EventBus:
    """Publish and subscribe to JSON-object messages over one broadcaster."""

    broadcast: Broadcast
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    _consumers: list[_Consumer] = field(default_factory=list)
    _consumer_task: asyncio.Task[None] | None = None

    async def publish(self, channel: str, message: Mapping[str, Any]) -> None:
        await self.broadcast.publish(channel, orjson.dumps(dict(message)).decode())

    @asynccontextmanager
    async def subscribe(self, channel: str) -> AsyncIterator[AsyncIterator[dict[str, Any]]]:
        """Messages published on `channel` from now on, decoded (non-objects are dropped).
        Waiting for the next one may be cancelled (e.g. `asyncio.timeout`) without losing the
        subscription. Raises `EventsUnavailable` when the broadcaster cannot be reached."""
        subscription = self.broadcast.subscribe(channel)
        async with self._lock:  # backends (re)subscribe on one connection
            try:
                subscriber = await subscription.__aenter__()
            except Exception as error:  # the backend's client errors, whatever the backend
                logger.warning("could not subscribe to %r: %r", channel, error)
                raise EventsUnavailable(UNAVAILABLE_MESSAGE) from error
        try:
            yield Messages(subscriber)
        finally:
            async with self._lock:
                try:
                    await subscription.__aexit__(None, None, None)
                except Exception as error:  # the server is gone: nothing left to unsubscribe
                    logger.warning("could not unsubscribe from %r: %r", channel, error)

    def consume(self, types_prefix: str, handler: Handler) -> Callable[[], None]:
        """Run `handler(envelope)` for each domain event whose type starts with `types_prefix`.
        Returns a function that stops it."""
        consumer = _Consumer(types_prefix, handler)
        self._consumers.append(consumer)

        def stop() -> None:
            if consumer in self._consumers:
                self._consumers.remove(consumer)

        return stop

    async def start_consuming(self) -> None:
        """Subscribe to `domain-events` (before the app serves, so nothing is missed)."""
        subscribed = asyncio.Event()
        self._consumer_task = asyncio.create_task(self._consume(subscribed))
        waiter = asyncio.create_task(subscribed.wait())
        await asyncio.wait({waiter, self._consumer_task}, return_when=asyncio.FIRST_COMPLETED)
        if not subscribed.is_set():
            waiter.cancel()
            self._consumer_task.result()  # raises why it could not subscribe

    async def _consume(self, subscribed: asyncio.Event) -> None:
        """Handle `domain-events` until cancelled, subscribing again whenever the connection
        drops (the first subscription's failure is the caller's to report)."""
        delay = RESUBSCRIBE_FIRST_SECONDS
        while True:
            try:
                async with self.subscribe(DOMAIN_EVENTS) as envelopes:
                    subscribed.set()
                    delay = RESUBSCRIBE_FIRST_SECONDS
                    await self._handle(envelopes)
                return
            except EventsUnavailable:
                if not subscribed.is_set():
                    raise
                logger.warning("domain event consumer lost its subscription; subscribing again")
                await asyncio.sleep(delay)
                delay = min(delay * 2, RESUBSCRIBE_MAX_SECONDS)

    async def _handle(self, envelopes: AsyncIterator[dict[str, Any]]) -> None:
        async for envelope in envelopes:
            event_type = envelope.get("type")
            if not isinstance(event_type, str):
                continue
            for consumer in list(self._consumers):
                if event_type.startswith(consumer.prefix):
                    await _run_handler(consumer.handler, envelope)

    async def aclose(self) -> None:
        task, self._consumer_task = self._consumer_task, None
        if task is not None:
            task.cancel()
            try:
                await task
            except asyncio.CancelledError:
                pass
            except Exception:
                logger.exception("the domain event consumer had failed")


async def _run_handler(handler: Handler, envelope: dict[str, Any]) -> None:
    delay = HANDLER_FIRST_BACKOFF_SECONDS
    for attempt in range(1, HANDLER_ATTEMPTS + 1):
        try:
            await handler(envelope)
            return
        except Exception:
            if attempt == HANDLER_ATTEMPTS:
                logger.exception(
                    "handler %r gave up on event %s (%s)",
                    handler,
                    envelope.get("id"),
                    envelope.get("type"),
                )
                return
            logger.warning("handler %r failed; retrying", handler, exc_info=True)
            await asyncio.sleep(delay)
            delay *= 4


def _new_broadcast(url: str) -> Broadcast:
    scheme = urlsplit(url).scheme.split("+", 1)[0]
    if scheme in ("redis", "rediss"):
        return Broadcast(backend=ResilientRedisBackend(url))
    if scheme in ("postgres", "postgresql"):
        return Broadcast(backend=PostgresBackend(broadcast_url(url)))
    return Broadcast(url)


@dataclass(slots=True)
class _Shared:
    broadcast: Broadcast
    users: int = 0


_shared_memory: dict[tuple[str, int], _Shared] = {}


@asynccontextmanager
async def _broadcast(url: str) -> AsyncIterator[Broadcast]:
    if urlsplit(url).scheme != "memory":
        broadcast = _new_broadcast(url)
        await broadcast.connect()
        try:
            yield broadcast
        finally:
            await broadcast.disconnect()
        return
    key = (url, id(asyncio.get_running_loop()))
    shared = _shared_memory.get(key)
    if shared is None:
        shared = _shared_memory[key] = _Shared(Broadcast(url))
        await shared.broadcast.connect()
    shared.users += 1
    try:
        yield shared.broadcast
    finally:
        shared.users -= 1
        if shared.users == 0:
            del _shared_memory[key]
            await shared.broadcast.disconnect()


@asynccontextmanager
async def open_event_bus(url: str) -> AsyncIterator[EventBus]:
    """The bus for one app's lifetime, already consuming `domain-events`."""
    async with _broadcast(url) as broadcast:
        bus = EventBus(broadcast)
        try:
            await bus.start_consuming()
            yield bus
        finally:
            await bus.aclose()
