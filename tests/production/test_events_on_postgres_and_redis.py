"""Domain events in production mode: the outbox on PostgreSQL with several relays of one
subgraph (each event published once, in order), and the bus on Redis and on PostgreSQL
LISTEN/NOTIFY for real: an event committed on one app instance reaches a WebSocket subscriber
connected to another instance, once."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

import asyncpg
import httpx
import pytest
import redis.asyncio as aioredis
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from subgraphs.kernel.db import create_engine, open_database
from subgraphs.kernel.events import DOMAIN_EVENTS, open_event_bus, record_event
from subgraphs.kernel.migrations import migrate_to_head_async
from subgraphs.kernel.relay import OutboxRelay
from subgraphs.kernel.settings import Settings
from subgraphs.kernel.testing import graphql_post
from subgraphs.money.models import Outbox
from tests.conftest import CreatePostgresDatabase
from tests.subgraphs.kernel.events_probe import (
    create_events_app,
    serve_with_websockets,
    transport_ws,
)

RECORD = "mutation($types: [String!]!) { record(types: $types) }"
MESSAGES = "subscription($channel: String!) { messages(channel: $channel) }"


@pytest.fixture
async def money_database(create_postgres_database: CreatePostgresDatabase) -> str:
    """A fresh PostgreSQL database at money's head (no platform relays read it)."""
    url = await create_postgres_database()
    await migrate_to_head_async("money", url)
    return url


def listen_url(database_url: str) -> str:
    """The asyncpg URL broadcaster's PostgreSQL backend wants for the same server."""
    return make_url(database_url).set(drivername="postgresql").render_as_string(False)


async def test_two_relays_of_one_subgraph_publish_each_event_once_in_order(money_database):
    settings = Settings(database_urls={"money": money_database}, outbox_batch_size=7)
    database = open_database(money_database, settings)
    recorded: list[str] = []
    try:
        for _ in range(6):
            async with database.sessions() as session:
                recorded += [
                    record_event(session, "money.deposit.succeeded", {"n": len(recorded) + n})
                    for n in range(10)
                ]
                await session.commit()
    finally:
        await database.dispose()

    async with (
        open_event_bus(f"memory://{uuid.uuid4().hex}") as bus,
        bus.subscribe(DOMAIN_EVENTS) as messages,
    ):
        engines = [create_engine(money_database, settings) for _ in range(2)]
        relays = [OutboxRelay("money", engine, bus, settings) for engine in engines]
        tasks = [asyncio.create_task(relay.run()) for relay in relays]
        heard: list[str] = []
        try:
            async with asyncio.timeout(15):
                async for message in messages:
                    heard.append(message["id"])
                    if len(heard) == len(recorded):
                        break
            await asyncio.sleep(0.5)  # a late duplicate would arrive meanwhile
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            for engine in engines:
                await engine.dispose()
        assert heard == recorded

    database = open_database(money_database, settings)
    try:
        async with database.sessions() as session:
            rows = list(await session.scalars(select(Outbox)))
    finally:
        await database.dispose()
    assert len(rows) == len(recorded)
    assert all(row.published_at is not None for row in rows)


@asynccontextmanager
async def instance(money_database: str, broadcast_url: str) -> AsyncIterator[str]:
    settings = Settings(
        database_urls={"money": money_database},
        broadcast_url=broadcast_url,
        db_pool_size=2,
        db_max_overflow=2,
    )
    async with serve_with_websockets(create_events_app(settings)) as url:
        yield url


async def test_over_redis_an_event_from_one_instance_reaches_a_subscriber_on_another(
    money_database, redis_url
):
    await one_instance_to_another(money_database, redis_url)


async def test_over_postgres_an_event_from_one_instance_reaches_a_subscriber_on_another(
    money_database,
):
    await one_instance_to_another(money_database, listen_url(money_database))


async def one_instance_to_another(money_database: str, broadcast: str) -> None:
    """Two instances of a subgraph on one database and one broadcaster; a WebSocket subscriber
    on the second hears, once, the event a mutation on the first committed."""
    async with AsyncExitStack() as stack:
        first = await stack.enter_async_context(instance(money_database, broadcast))
        second = await stack.enter_async_context(instance(money_database, broadcast))
        client = await stack.enter_async_context(transport_ws(second))
        operation = await client.subscribe(MESSAGES, {"channel": DOMAIN_EVENTS})
        await asyncio.sleep(0.3)  # the resolver's SUBSCRIBE/LISTEN reaches the server
        async with httpx.AsyncClient() as http:
            body = await graphql_post(http, first, RECORD, {"types": ["money.wallet.opened"]})
        (event_id,) = body["data"]["record"]

        ours: list[dict[str, Any]] = []
        try:
            async with asyncio.timeout(3):
                while True:  # other test runs may share the Redis channel: keep only ours
                    data = await client.next_data(operation)
                    if data["data"]["messages"]["id"] == event_id:
                        ours.append(data["data"]["messages"])
        except TimeoutError:
            pass
        assert len(ours) == 1, ours
        (event,) = ours
        assert event["type"] == "money.wallet.opened"
        assert event["source"] == "money"
        assert event["payload"] == {"n": 0}


async def test_a_relay_waits_while_another_instance_holds_the_outbox(money_database):
    settings = Settings(database_urls={"money": money_database})
    database = open_database(money_database, settings)
    try:
        async with database.sessions() as session:
            record_event(session, "money.wallet.opened", {})
            await session.commit()
    finally:
        await database.dispose()
    engine = create_engine(money_database, settings)
    async with open_event_bus(f"memory://{uuid.uuid4().hex}") as bus:
        relay = OutboxRelay("money", engine, bus, settings)
        try:
            async with engine.connect() as other_instance:
                # Another relay is mid-batch: it holds the outbox's advisory lock.
                await other_instance.execute(select(func.pg_advisory_xact_lock(relay.lock_key)))
                assert await relay.relay_batch() == 0
                await other_instance.rollback()
            assert await relay.relay_batch() == 1
            assert await relay.relay_batch() == 0
        finally:
            await engine.dispose()


async def hears(messages: AsyncIterator[dict[str, Any]], marker: str) -> bool:
    try:
        async with asyncio.timeout(5):
            async for message in messages:
                if message.get("marker") == marker:
                    return True
    except TimeoutError:
        return False
    return False


async def publish_until_heard(
    publisher: Any, messages: AsyncIterator[dict[str, Any]], channel: str
) -> None:
    """Publish (retrying: the connections are coming back) until the subscriber hears it."""
    for _attempt in range(50):
        marker = uuid.uuid4().hex
        try:
            await publisher.publish(channel, {"marker": marker})
        except Exception:
            await asyncio.sleep(0.1)
            continue
        try:
            async with asyncio.timeout(0.5):
                async for message in messages:
                    if message.get("marker") == marker:
                        return
        except TimeoutError:
            continue
    raise AssertionError(f"nothing heard on {channel} after 50 attempts")


async def test_the_postgres_bus_listens_and_publishes_again_after_its_connections_die(
    money_database,
):
    url = listen_url(money_database)
    channel = f"probe-{uuid.uuid4().hex[:8]}"
    async with (
        open_event_bus(url) as listener,
        open_event_bus(url) as publisher,
        listener.subscribe(channel) as messages,
    ):
        await publish_until_heard(publisher, messages, channel)
        backend = listener.broadcast._backend
        notify = publisher.broadcast._backend
        pids = [backend._listen.get_server_pid(), notify._notify.get_server_pid()]
        admin = await asyncpg.connect(url)
        try:
            for pid in pids:
                assert await admin.fetchval("SELECT pg_terminate_backend($1)", pid)
        finally:
            await admin.close()

        await publish_until_heard(publisher, messages, channel)
        assert backend._listen.get_server_pid() != pids[0]


async def test_the_redis_bus_listens_again_after_its_connection_is_killed(redis_url):
    name = f"ehb-test-{uuid.uuid4().hex[:8]}"
    channel = f"probe-{uuid.uuid4().hex[:8]}"
    async with (
        open_event_bus(f"{redis_url}?client_name={name}") as listener,
        open_event_bus(redis_url) as publisher,
        listener.subscribe(channel) as messages,
    ):
        await publish_until_heard(publisher, messages, channel)
        admin = aioredis.Redis.from_url(redis_url)
        try:
            clients = await admin.client_list()
            ours = [c["id"] for c in clients if c.get("name") == name and "subscribe" in c["cmd"]]
            assert ours, clients
            for client_id in ours:
                await admin.client_kill_filter(_id=client_id)
        finally:
            await admin.aclose()

        await publish_until_heard(publisher, messages, channel)
