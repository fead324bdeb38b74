"""The EventBus on the memory broadcaster: JSON objects in and out, a subscription that
survives a cancelled wait, and messages that are not JSON objects dropped."""

from __future__ import annotations

import asyncio

from subgraphs.kernel.events import open_event_bus


async def test_a_timed_out_wait_leaves_the_subscription_usable():
    async with open_event_bus("memory://") as bus, bus.subscribe("bus.probe") as messages:
        try:
            async with asyncio.timeout(0.05):
                await anext(messages)
        except TimeoutError:
            pass
        await bus.publish("bus.probe", {"after": "timeout"})
        async with asyncio.timeout(2):
            assert await anext(messages) == {"after": "timeout"}


async def test_messages_that_are_not_json_objects_are_dropped():
    async with open_event_bus("memory://") as bus, bus.subscribe("bus.probe") as messages:
        await bus.broadcast.publish("bus.probe", "not json")
        await bus.broadcast.publish("bus.probe", "[1, 2]")
        await bus.publish("bus.probe", {"kept": True})
        async with asyncio.timeout(2):
            assert await anext(messages) == {"kept": True}
