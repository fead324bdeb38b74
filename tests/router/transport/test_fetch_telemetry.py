"""The HTTP fetcher records the per-subgraph fetch metrics itself: for the engine's fetches
(``__call__``), never for health probes (``fetch``)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from prometheus_client import CollectorRegistry

from router.errors import SubgraphUnavailable
from router.telemetry.metrics import RouterMetrics
from router.telemetry.requests import RouterTelemetry
from router.transport import HttpSubgraphFetcher, KeepAliveClient
from router.transport.probe import probe_subgraph
from router.types import RequestContext, SubgraphRequest
from tests.fixtures.benchmark.loopback import (
    LoopbackServer,
    start_loopback_server,
    unused_loopback_port,
)
from tests.fixtures.benchmark.subgraph_servers import subgraph_app

FIND = SubgraphRequest(
    "query Find($id: ID!) { user(id: $id) { username } }", {"id": "2"}, operation_kind="query"
)
BROKEN = SubgraphRequest("{ nosuch }", operation_kind="query")


@pytest.fixture(scope="module")
async def accounts_server() -> AsyncIterator[LoopbackServer]:
    server = await start_loopback_server(subgraph_app("accounts"))
    yield server
    await server.stop()


def _sample(registry: CollectorRegistry, name: str, **labels: str) -> float:
    return registry.get_sample_value(name, labels) or 0.0


async def test_engine_fetches_are_counted_per_subgraph_and_probes_are_not(
    subgraph_client: KeepAliveClient, accounts_server: LoopbackServer
) -> None:
    registry = CollectorRegistry()
    fetcher = HttpSubgraphFetcher(
        subgraph_client,
        {
            "accounts": accounts_server.graphql_url,
            "down": f"http://127.0.0.1:{unused_loopback_port()}",
        },
        timeout_seconds=5.0,
        telemetry=RouterTelemetry(RouterMetrics(registry, max_operations=10), None),
    )

    await fetcher("accounts", FIND, RequestContext())
    await fetcher("accounts", BROKEN, RequestContext())
    with pytest.raises(SubgraphUnavailable):
        await fetcher("down", FIND, RequestContext())
    assert (await probe_subgraph(fetcher, "accounts", timeout_seconds=5.0)).status == "pass"

    accounts, down = {"subgraph": "accounts"}, {"subgraph": "down"}
    assert _sample(registry, "ehb_router_subgraph_fetches_total", **accounts) == 2
    assert _sample(registry, "ehb_router_subgraph_fetch_duration_seconds_count", **accounts) == 2
    errors = "ehb_router_subgraph_fetch_errors_total"
    assert _sample(registry, errors, reason="graphql", **accounts) == 1
    assert _sample(registry, errors, reason="unavailable", **accounts) == 0
    assert _sample(registry, "ehb_router_subgraph_fetches_total", **down) == 1
    assert _sample(registry, errors, reason="unavailable", **down) == 1
