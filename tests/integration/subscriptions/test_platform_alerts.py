"""The platform's live alerts through the router with the real `graphql-ws` client: an
operator's `alertRaised` subscription hears observability's alert when a subgraph goes down
(health probes every 0.3 s here); a signed-in user without the operator scope is refused."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from tests.fixtures.subscriptions.node_client import NodeSubscriber, node_subscribe
from tests.integration.platform.demo import ALICE
from tests.integration.platform.servers import (
    Platform,
    environment,
    prepare_databases,
    start_platform,
)

pytestmark = pytest.mark.npm

RAISED = "subscription { alertRaised(minSeverity: WARNING) { source severity status title } }"


@pytest.fixture(scope="module")
async def platform(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Platform]:
    settings = await prepare_databases(tmp_path_factory.mktemp("alerts-platform"))
    with environment("EHB_OBSERVED_INTERVAL_SECONDS", "0.3"):
        running = await start_platform(settings)
    yield running
    await running.stop()


async def subscribe(platform: Platform, token: str) -> NodeSubscriber:
    return await node_subscribe(
        platform.graphql_url.replace("http://", "ws://"), RAISED, "--token", token
    )


def token(platform: Platform, *roles: str) -> str:
    return platform.bearer(ALICE, *roles)["Authorization"].removeprefix("Bearer ")


async def test_a_user_without_the_operator_scope_is_refused(
    platform: Platform, npm_tools: None
) -> None:
    client = await subscribe(platform, token(platform, "user"))
    try:
        lines = await client.rest()
        assert lines[0] == {"event": "connected"}
        assert lines[1]["payload"]["data"] is None
        assert lines[1]["payload"]["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        assert lines[2:] == [{"event": "complete"}, {"event": "done"}]
    finally:
        await client.stop()


async def test_an_operator_hears_a_subgraph_going_down(platform: Platform, npm_tools: None) -> None:
    client = await subscribe(platform, token(platform, "user", "operator"))
    try:
        assert await client.line() == {"event": "connected"}
        await asyncio.sleep(1.0)  # the router's upstream subscription to observability opens
        await platform.subgraphs["media"].stop()
        raised: list[dict[str, str]] = []
        async with asyncio.timeout(15):
            while not any(alert["source"] == "media" for alert in raised):
                line = await client.line(seconds=15)
                assert line["event"] == "next", line
                raised.append(line["payload"]["data"]["alertRaised"])
        # The router's own health (DEGRADED: a subgraph is down) may be heard first.
        assert {"source": "media", "severity": "CRITICAL", "status": "OPEN"}.items() <= next(
            alert for alert in raised if alert["source"] == "media"
        ).items()
    finally:
        await client.stop()
