"""The event bus over Redis and over PostgreSQL LISTEN/NOTIFY while its server is stopped and
started again: a live subscription ends with EventsUnavailable (not a silent wait), subscribing
while the server is away raises it at once, and once the server is back the same bus subscribes
and delivers again (no new bus, no restart)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable

import pytest
from redis.exceptions import RedisError

from subgraphs.kernel.bus import EventBus, open_event_bus
from subgraphs.kernel.errors import EventsUnavailable
from tests.fixtures.private_services import PrivatePostgres, PrivateRedis

pytestmark = pytest.mark.timeout(60)


async def heard_after_publishing(bus: EventBus, channel: str) -> None:
    """Publish on `channel` until a fresh subscription hears it (the connections come back)."""
    async with asyncio.timeout(15):
        while True:
            try:
                async with bus.subscribe(channel) as messages:
                    marker = uuid.uuid4().hex
                    await bus.publish(channel, {"marker": marker})
                    async with asyncio.timeout(1):
                        async for message in messages:
                            if message == {"marker": marker}:
                                return
            except (EventsUnavailable, TimeoutError, OSError, RedisError):
                await asyncio.sleep(0.1)


async def test_over_redis(private_redis: PrivateRedis) -> None:
    await outage_and_return(private_redis.url, private_redis.stop, private_redis.start)


async def test_over_postgres(private_postgres: PrivatePostgres) -> None:
    url = private_postgres.url().replace("+asyncpg", "")
    await outage_and_return(url, private_postgres.stop, private_postgres.start)


async def outage_and_return(
    url: str, stop: Callable[[], Awaitable[None]], start: Callable[[], Awaitable[None]]
) -> None:
    """A live subscription ends with an error when the server goes, subscribing fails while it
    is away, and the same bus delivers again once it is back."""
    channel = f"outage-{uuid.uuid4().hex[:8]}"
    async with open_event_bus(url) as bus, bus.subscribe(channel) as messages:
        await bus.publish(channel, {"n": 1})
        async with asyncio.timeout(5):
            assert await anext(messages) == {"n": 1}

        await stop()
        async with asyncio.timeout(5):
            with pytest.raises(EventsUnavailable) as ended:
                await anext(messages)
        assert ended.value.extensions == {"code": "EVENTS_UNAVAILABLE"}

        async with asyncio.timeout(5):
            with pytest.raises(EventsUnavailable):
                async with bus.subscribe(f"{channel}-new"):
                    pass

        await start()
        await heard_after_publishing(bus, f"{channel}-after")
