"""The transactional outbox and its relay (docs/events.md), on SQLite with the memory bus: a
committed mutation publishes exactly its events, in order, with their ids; a rolled-back one
publishes nothing; an event committed while no relay ran is published when one starts; the
relay wakes after a commit without waiting for its poll, retries while the broadcaster fails,
and prunes published rows after the retention period."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import func, select

from subgraphs.kernel.bus import EventBus
from subgraphs.kernel.events import DOMAIN_EVENTS, open_event_bus, record_event
from subgraphs.kernel.settings import Settings
from subgraphs.kernel.testing import (
    RunningSubgraph,
    memory_broadcast_url,
    migrated_settings,
    running_subgraph,
    serve_app,
)
from subgraphs.money.models import Outbox
from tests.subgraphs.kernel.events_probe import create_events_app

RECORD = (
    "mutation($types: [String!]!, $fail: Boolean! = false) { record(types: $types, fail: $fail) }"
)


def factory(**overrides: Any):
    def create(settings: Settings):
        return create_events_app(settings.model_copy(update=overrides))

    return create


@asynccontextmanager
async def probe(tmp_path, **overrides: Any) -> AsyncIterator[RunningSubgraph]:
    async with running_subgraph("money", tmp_path, app_factory=factory(**overrides)) as running:
        yield running


@asynccontextmanager
async def listening(bus: EventBus) -> AsyncIterator[asyncio.Queue[dict[str, Any]]]:
    """Every domain event `bus` hears from now on, in a queue."""
    queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    subscribed = asyncio.Event()

    async def listen() -> None:
        async with bus.subscribe(DOMAIN_EVENTS) as messages:
            subscribed.set()
            async for message in messages:
                await queue.put(message)

    task = asyncio.create_task(listen())
    await subscribed.wait()
    try:
        yield queue
    finally:
        task.cancel()


async def take(queue: asyncio.Queue[dict[str, Any]], count: int, within: float = 5.0):
    return [await asyncio.wait_for(queue.get(), within) for _ in range(count)]


async def nothing_more(queue: asyncio.Queue[dict[str, Any]], wait: float = 0.3) -> None:
    await asyncio.sleep(wait)
    assert queue.empty(), f"unexpected event: {queue.get_nowait()}"


async def outbox_rows(app: RunningSubgraph) -> list[Outbox]:
    async with app.database.sessions() as session:
        return list(await session.scalars(select(Outbox).order_by(Outbox.position)))


async def test_a_committed_mutation_publishes_exactly_its_events_in_order(tmp_path):
    async with probe(tmp_path) as app, listening(app.app.state.events) as heard:
        types = ["money.deposit.succeeded", "money.wallet.opened", "money.deposit.succeeded"]
        body = await app.graphql(RECORD, {"types": types})
        ids = body["data"]["record"]

        events = await take(heard, 3)
        await nothing_more(heard)

        assert [event["id"] for event in events] == ids
        assert len(set(ids)) == 3 and all(len(i) == 32 for i in ids)
        assert [event["type"] for event in events] == types
        first = events[0]
        assert set(first) == {"id", "type", "source", "occurredAt", "userId", "payload"}
        assert first["source"] == "money"
        assert first["userId"] == "user-1"
        assert [event["payload"] for event in events] == [{"n": 0}, {"n": 1}, {"n": 2}]
        assert first["occurredAt"].endswith("Z")
        datetime.fromisoformat(first["occurredAt"].replace("Z", "+00:00"))
        await asyncio.sleep(0.1)  # the relay commits after publishing
        assert all(row.published_at is not None for row in await outbox_rows(app))


async def test_a_rolled_back_mutation_publishes_nothing(tmp_path):
    async with probe(tmp_path) as app, listening(app.app.state.events) as heard:
        failed = await app.graphql(RECORD, {"types": ["money.deposit.succeeded"], "fail": True})
        assert failed["data"] is None
        assert failed["errors"][0]["extensions"]["code"] == "CONFLICT"
        kept = await app.graphql(RECORD, {"types": ["money.wallet.opened"]})

        (event,) = await take(heard, 1)
        await nothing_more(heard)

        assert event["id"] == kept["data"]["record"][0]
        assert [row.id for row in await outbox_rows(app)] == [event["id"]]


async def test_an_event_committed_before_a_crash_is_published_after_restart(tmp_path):
    # First life: the mutation commits, but no relay runs (as if the process died right after).
    async with probe(tmp_path, outbox_relay=False) as app:
        body = await app.graphql(RECORD, {"types": ["money.deposit.succeeded"]})
        (event_id,) = body["data"]["record"]
        await asyncio.sleep(0.2)
        (row,) = await outbox_rows(app)
        assert row.id == event_id and row.published_at is None

    # Second life: the relay resumes from the table. (The apps of a test directory share one
    # in-process broadcaster, so a bus opened here hears what the app publishes.)
    async with (
        open_event_bus(memory_broadcast_url(tmp_path)) as bus,
        listening(bus) as heard,
        probe(tmp_path) as app,
    ):
        (event,) = await take(heard, 1)
        await nothing_more(heard)
        assert event["id"] == event_id
        await asyncio.sleep(0.1)
        (row,) = await outbox_rows(app)
        assert row.published_at is not None


async def test_the_relay_wakes_right_after_a_commit_not_at_its_next_poll(tmp_path):
    async with probe(tmp_path, outbox_poll_seconds=60.0) as app:
        await asyncio.sleep(0.2)  # the relay's first pass is done; it now sleeps for a minute
        async with listening(app.app.state.events) as heard:
            started = asyncio.get_running_loop().time()
            await app.graphql(RECORD, {"types": ["money.wallet.opened"]})
            await take(heard, 1, within=2.0)
            assert asyncio.get_running_loop().time() - started < 2.0


async def test_a_big_backlog_goes_out_in_bounded_batches_in_order(tmp_path):
    async with probe(tmp_path, outbox_relay=False) as app:
        for _ in range(5):
            await app.graphql(RECORD, {"types": ["money.deposit.succeeded"] * 5})
        ids = [row.id for row in await outbox_rows(app)]
    async with (
        open_event_bus(memory_broadcast_url(tmp_path)) as bus,
        listening(bus) as heard,
        probe(tmp_path, outbox_batch_size=3),
    ):
        events = await take(heard, 25)
        await nothing_more(heard)
    assert [event["id"] for event in events] == ids


async def test_the_relay_retries_while_the_broadcaster_fails(tmp_path, monkeypatch):
    async with probe(tmp_path) as app, listening(app.app.state.events) as heard:
        bus: EventBus = app.app.state.events
        publish = EventBus.publish
        failures: list[str] = []

        async def flaky(self: EventBus, channel: str, message: Any) -> None:
            if len(failures) < 3:
                failures.append(message["id"])
                raise ConnectionError("broadcaster down")
            await publish(self, channel, message)

        monkeypatch.setattr(EventBus, "publish", flaky)
        body = await app.graphql(RECORD, {"types": ["money.deposit.succeeded"]})
        (event,) = await take(heard, 1)
        await nothing_more(heard)

        assert event["id"] == body["data"]["record"][0]
        assert failures == [event["id"]] * 3
        assert bus is app.app.state.events


async def test_published_rows_are_pruned_after_the_retention_period(tmp_path):
    async with probe(tmp_path, outbox_retention_seconds=0) as app:
        await app.graphql(RECORD, {"types": ["money.wallet.opened"]})
        relay = app.app.state.outbox_relay
        for _ in range(50):
            if all(row.published_at for row in await outbox_rows(app)):
                break
            await asyncio.sleep(0.02)
        assert await relay.prune() == 1
        async with app.database.sessions() as session:
            assert await session.scalar(select(func.count()).select_from(Outbox)) == 0


async def test_consume_runs_idempotent_handlers_for_matching_types(tmp_path):
    async with probe(tmp_path) as app:
        bus: EventBus = app.app.state.events
        seen: dict[str, list[str]] = {"money.deposit": [], "money.": [], "identity.": []}
        done = asyncio.Event()

        def handler_for(prefix: str):
            async def handle(envelope: dict[str, Any]) -> None:
                seen[prefix].append(envelope["type"])
                if prefix == "money." and len(seen[prefix]) == 2:
                    done.set()

            return handle

        stops = [bus.consume(prefix, handler_for(prefix)) for prefix in seen]
        await app.graphql(RECORD, {"types": ["money.deposit.succeeded", "money.wallet.opened"]})
        await asyncio.wait_for(done.wait(), 5)
        for stop in stops:
            stop()

        assert seen == {
            "money.deposit": ["money.deposit.succeeded"],
            "money.": ["money.deposit.succeeded", "money.wallet.opened"],
            "identity.": [],
        }


async def test_memory_bus_is_shared_by_every_app_of_the_process(tmp_path):
    # `ehb dev` serves the six subgraphs in one process: one app's events reach another's bus.
    shared = memory_broadcast_url(tmp_path)
    other_settings = Settings(data_dir=tmp_path / "other", outbox_relay=False, broadcast_url=shared)
    other = create_events_app(other_settings)
    async with serve_app(other), listening(other.state.events) as heard, probe(tmp_path) as app:
        assert app.app.state.events.broadcast is other.state.events.broadcast
        body = await app.graphql(RECORD, {"types": ["money.wallet.opened"]})
        (event,) = await take(heard, 1)
        assert event["id"] == body["data"]["record"][0]


@pytest.mark.parametrize(
    "event_type", ["deposit", "money", "Money.deposit.succeeded", "money.deposit.", "nowhere.a.b"]
)
def test_record_event_refuses_a_malformed_or_unknown_type(event_type):
    with pytest.raises((ValueError, LookupError)):
        record_event(None, event_type, {})  # type: ignore[arg-type]


async def test_a_batch_that_fails_midway_is_published_again_so_consumers_dedupe_by_id(
    tmp_path, monkeypatch
):
    async with probe(tmp_path) as app, listening(app.app.state.events) as heard:
        publish = EventBus.publish
        calls: list[str] = []

        async def fails_once_on_the_second(self: EventBus, channel: str, message: Any) -> None:
            calls.append(message["id"])
            if len(calls) == 2:
                raise ConnectionError("broadcaster went away mid-batch")
            await publish(self, channel, message)

        monkeypatch.setattr(EventBus, "publish", fails_once_on_the_second)
        body = await app.graphql(RECORD, {"types": ["money.wallet.opened"] * 2})
        first, second = body["data"]["record"]

        events = await take(heard, 3)
        await nothing_more(heard)

        # At least once: the first event went out twice (its batch rolled back), never lost.
        assert [event["id"] for event in events] == [first, first, second]
        assert list(dict.fromkeys(event["id"] for event in events)) == [first, second]


async def test_apps_of_different_test_directories_do_not_hear_each_other(tmp_path):
    first = create_events_app(await migrated_settings("money", tmp_path / "first"))
    async with (
        serve_app(first),
        listening(first.state.events) as heard,
        probe(tmp_path / "second") as app,
    ):
        await app.graphql(RECORD, {"types": ["money.wallet.opened"]})
        await nothing_more(heard, 0.5)
