"""broadcaster backends that survive their server: Redis and PostgreSQL LISTEN/NOTIFY.

broadcaster 0.3.1's own backends lose their subscribers for good when the connection drops
(and its Redis listener could sleep before the first SUBSCRIBE reached Redis, hearing nothing).
Here a dropped connection is reopened with backoff and every channel subscribed again. When the
server answers again at once (a killed connection), subscriptions go on. When it does not (it is
stopped or restarting), what is published meanwhile is lost (pub/sub), so each subscribed
channel is sent a `ConnectionLost` event: its subscribers end with an error (`bus.Messages`)
rather than wait, unaware, for messages that may never come. Subscribing while the connection is
down fails (`bus.EventBus.subscribe` raises EventsUnavailable).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

import asyncpg
from broadcaster import BroadcastBackend, Event
from broadcaster._backends.redis import RedisBackend
from redis.exceptions import RedisError

__all__ = ["BroadcasterUnavailable", "ConnectionLost", "PostgresBackend", "ResilientRedisBackend"]

logger = logging.getLogger("subgraphs.kernel.bus")

FIRST_RETRY_SECONDS = 0.1
MAX_RETRY_SECONDS = 5.0


class ConnectionLost(Event):
    """Put on `channel` when the backend lost its connection: messages may have been missed."""

    def __init__(self, channel: str) -> None:
        super().__init__(channel=channel, message="")


class BroadcasterUnavailable(ConnectionError):
    """The backend has no connection to its server right now."""


class ResilientRedisBackend(RedisBackend):
    """broadcaster's Redis backend, its listener woken after each SUBSCRIBE (not before, when
    redis-py saw no channel, stopped listening and the listener slept for good), and listening
    again after a dropped connection (redis-py resubscribes when it reconnects).

    After a failed read the listener reconnects at once: when the server answers (a killed
    connection), subscriptions go on. When it does not, the server is away: every subscribed
    channel gets a `ConnectionLost`, and the listener reconnects with backoff. The pub/sub
    connection is only (re)opened under `_connecting`: redis-py's connect is not safe to run
    twice at once (the loser's socket leaks), and a SUBSCRIBE may open it while the listener
    does."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self._channels: set[str] = set()
        self._connecting = asyncio.Lock()

    async def disconnect(self) -> None:
        """The listener first, and waited for: closed while it reconnects, it would open a
        socket nobody closes."""
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._listener
            self._listener = None
        await self._pubsub.aclose()  # type: ignore[no-untyped-call]
        await self._conn.aclose()

    async def subscribe(self, channel: str) -> None:
        async with self._connecting:
            await self._pubsub.subscribe(channel)
        self._channels.add(channel)
        self._ready.set()

    async def unsubscribe(self, channel: str) -> None:
        self._channels.discard(channel)
        async with self._connecting:
            await self._pubsub.unsubscribe(channel)

    async def _pubsub_listener(self) -> None:
        delay = FIRST_RETRY_SECONDS
        while True:
            await self._ready.wait()
            self._ready.clear()
            try:
                async with self._connecting:
                    await self._connect_pubsub()
                async for message in self._pubsub.listen():
                    delay = FIRST_RETRY_SECONDS
                    if message["type"] == "message":
                        event = Event(
                            channel=message["channel"].decode(),
                            message=message["data"].decode(),
                        )
                        await self._queue.put(event)
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.warning("Redis pub/sub listener failed; listening again", exc_info=True)
                if not await self._reconnected():
                    for channel in self._channels:
                        await self._queue.put(ConnectionLost(channel))
                    await asyncio.sleep(delay)
                    delay = min(delay * 2, MAX_RETRY_SECONDS)
                if self._pubsub.channels:
                    self._ready.set()

    async def _reconnected(self) -> bool:
        """Whether the pub/sub connection is open again, every channel subscribed again
        (`PubSub.on_connect`), right after it failed."""
        async with self._connecting:
            connection = self._pubsub.connection
            if connection is not None:
                # redis-py keeps a dead pub/sub socket "connected" (it reads with
                # disconnect_on_error=False): drop it, or connecting would do nothing.
                await connection.disconnect()
            try:
                await self._connect_pubsub()
            except (OSError, RedisError):
                return False
        return True

    async def _connect_pubsub(self) -> None:
        """Open the pub/sub connection unless open; reopening resubscribes every channel."""
        await self._pubsub.connect()  # type: ignore[no-untyped-call]


class PostgresBackend(BroadcastBackend):
    """LISTEN on one connection (reopened, with every channel, when it drops), NOTIFY on another
    (reopened on the next publish after a failure), so publishing never waits for listening.
    While the LISTEN connection is down, `subscribe` raises `BroadcasterUnavailable`."""

    def __init__(self, url: str) -> None:
        self._url = url
        self._channels: set[str] = set()
        self._queue: asyncio.Queue[Event] = asyncio.Queue()
        self._listen: asyncpg.Connection | None = None
        self._notify: asyncpg.Connection | None = None
        self._notify_lock = asyncio.Lock()
        self._reconnect: asyncio.Task[None] | None = None
        self._closing = False

    async def connect(self) -> None:
        self._listen = await self._open_listener()

    async def disconnect(self) -> None:
        self._closing = True
        if self._reconnect is not None:
            self._reconnect.cancel()
        for connection in (self._listen, self._notify):
            if connection is not None and not connection.is_closed():
                await connection.close()

    async def _open_listener(self) -> asyncpg.Connection:
        connection: asyncpg.Connection = await asyncpg.connect(self._url)
        added: set[str] = set()
        while missing := self._channels - added:  # channels may be added meanwhile
            for channel in missing:
                await connection.add_listener(channel, self._on_notification)
                added.add(channel)
        connection.add_termination_listener(self._on_terminated)
        return connection

    def _on_terminated(self, connection: Any) -> None:
        if self._closing or connection is not self._listen:
            return
        logger.warning("PostgreSQL LISTEN connection lost; reconnecting")
        self._reconnect = asyncio.get_running_loop().create_task(self._reopen())

    async def _reopen(self) -> None:
        """Listen again; when the server does not answer at once, it is away: subscribers are
        told (`ConnectionLost`) rather than left waiting, and the reconnects go on with
        backoff."""
        delay = FIRST_RETRY_SECONDS
        told = False
        while not self._closing:
            try:
                self._listen = await self._open_listener()
                return
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
                logger.warning("PostgreSQL LISTEN reconnect failed", exc_info=True)
                if not told:
                    told = True
                    for channel in self._channels:
                        self._queue.put_nowait(ConnectionLost(channel))
                await asyncio.sleep(delay)
                delay = min(delay * 2, MAX_RETRY_SECONDS)

    def _on_notification(self, *args: Any) -> None:
        _connection, _pid, channel, payload = args
        self._queue.put_nowait(Event(channel=channel, message=payload))

    def _alive(self) -> asyncpg.Connection | None:
        listen = self._listen
        return listen if listen is not None and not listen.is_closed() else None

    async def subscribe(self, channel: str) -> None:
        listen = self._alive()
        if listen is None:
            raise BroadcasterUnavailable("the PostgreSQL LISTEN connection is down")
        self._channels.add(channel)
        await listen.add_listener(channel, self._on_notification)

    async def unsubscribe(self, channel: str) -> None:
        self._channels.discard(channel)
        listen = self._alive()
        if listen is not None:
            await listen.remove_listener(channel, self._on_notification)

    async def publish(self, channel: str, message: Any) -> None:
        async with self._notify_lock:
            if self._notify is None or self._notify.is_closed():
                self._notify = await asyncpg.connect(self._url)
            try:
                await self._notify.execute("SELECT pg_notify($1, $2)", channel, message)
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
                notify, self._notify = self._notify, None
                notify.terminate()
                raise

    async def next_published(self) -> Event:
        return await self._queue.get()
