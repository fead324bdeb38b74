"""observability over real HTTP: live probes of real servers, their verdicts and the history."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import pytest

from subgraphs.kernel.settings import Settings
from subgraphs.kernel.testing import RunningSubgraph, serve_app
from subgraphs.observability.app import create_app
from subgraphs.observability.settings import ObservabilitySettings
from tests.fixtures.tokens import admin_subgraph
from tests.subgraphs.observability.health_targets import (
    HANG_SECONDS,
    closed_port_url,
    health_targets_app,
)

SERVICES = "{ services { name url status version latencyMs checkedAt error } }"
HISTORY = """
query($name: String!, $first: Int, $after: String) {
  serviceHistory(name: $name, first: $first, after: $after) {
    edges { node { name status checkedAt } }
    pageInfo { hasNextPage endCursor }
  }
}
"""


@pytest.fixture(scope="module")
async def targets() -> AsyncIterator[str]:
    async with serve_app(health_targets_app()) as url:
        yield url


def observing(services: str, *, timeout: float = 0.5, slow_ms: int = 200):
    observed = ObservabilitySettings(
        services=services, timeout_seconds=timeout, degraded_latency_ms=slow_ms
    )

    def factory(settings: Settings):
        return create_app(settings, observed)

    return factory


@pytest.fixture(scope="module")
async def observability(
    tmp_path_factory: pytest.TempPathFactory, targets: str, identity: RunningSubgraph
) -> AsyncIterator[RunningSubgraph]:
    services = ",".join(
        [
            f"identity={identity.url}/health",
            f"healthy={targets}/healthy",
            f"unavailable={targets}/unavailable",
            f"warning={targets}/warning",
            f"not-json={targets}/not-json",
            f"slow={targets}/slow",
            f"hang={targets}/hang",
            f"closed={closed_port_url()}",
        ]
    )
    async with admin_subgraph(
        "observability",
        tmp_path_factory.mktemp("observability"),
        app_factory=observing(services),
    ) as running:
        yield running


async def probe_now(observability: RunningSubgraph) -> dict[str, dict]:
    body = await observability.graphql(SERVICES)
    assert "errors" not in body, body
    return {status["name"]: status for status in body["data"]["services"]}


async def test_services_reports_each_target_with_its_verdict(observability, targets):
    statuses = await probe_now(observability)

    assert list(statuses) == [
        "identity",
        "healthy",
        "unavailable",
        "warning",
        "not-json",
        "slow",
        "hang",
        "closed",
    ]
    verdicts = {name: status["status"] for name, status in statuses.items()}
    assert verdicts == {
        "identity": "UP",
        "healthy": "UP",
        "unavailable": "DEGRADED",
        "warning": "DEGRADED",
        "not-json": "DEGRADED",
        "slow": "DEGRADED",
        "hang": "DOWN",
        "closed": "DOWN",
    }


async def test_healthy_services_report_version_and_latency(observability, targets):
    statuses = await probe_now(observability)

    healthy = statuses["healthy"]
    assert healthy["url"] == f"{targets}/healthy"
    assert healthy["version"] == "9.9.9"
    assert healthy["error"] is None
    assert isinstance(healthy["latencyMs"], int) and healthy["latencyMs"] >= 0
    assert healthy["checkedAt"].endswith("+00:00")
    # The kernel's own /health carries the installed distribution's version.
    assert statuses["identity"]["version"] == "0.1.0"


async def test_unhealthy_services_say_why(observability):
    statuses = await probe_now(observability)

    assert statuses["unavailable"]["error"] == "HTTP 503 (status 'fail')"
    assert statuses["warning"]["error"] == "health endpoint reports status 'warn'"
    assert statuses["warning"]["version"] == "1.2.3"
    assert statuses["not-json"]["error"] == "health endpoint reports status None"
    assert "over 200 ms" in statuses["slow"]["error"]
    assert statuses["hang"]["error"] == "no answer within 0.5 s"
    assert statuses["hang"]["latencyMs"] is None
    assert statuses["closed"]["error"].startswith("ClientConnectorError")
    assert statuses["closed"]["latencyMs"] is None


async def test_targets_are_probed_concurrently(observability):
    started = time.perf_counter()
    await probe_now(observability)
    elapsed = time.perf_counter() - started

    # One hanging target costs the 0.5 s timeout; probing one after another would add the
    # slow target's 0.3 s and every other round trip on top of it.
    assert elapsed < HANG_SECONDS


async def test_every_probe_is_kept_and_history_pages_newest_first(tmp_path, targets):
    services = f"healthy={targets}/healthy,closed={closed_port_url()}"
    async with admin_subgraph("observability", tmp_path, app_factory=observing(services)) as fresh:
        rounds = [await probe_now(fresh) for _ in range(3)]
        expected = [round_["healthy"]["checkedAt"] for round_ in reversed(rounds)]

        seen: list[str] = []
        after = None
        while True:
            body = await fresh.graphql(HISTORY, {"name": "healthy", "first": 2, "after": after})
            connection = body["data"]["serviceHistory"]
            seen += [edge["node"]["checkedAt"] for edge in connection["edges"]]
            assert {edge["node"]["status"] for edge in connection["edges"]} == {"UP"}
            if not connection["pageInfo"]["hasNextPage"]:
                break
            after = connection["pageInfo"]["endCursor"]

        closed = await fresh.graphql(HISTORY, {"name": "closed"})
        unknown = await fresh.graphql(HISTORY, {"name": "nobody"})

    assert seen == expected
    assert [edge["node"]["status"] for edge in closed["data"]["serviceHistory"]["edges"]] == [
        "DOWN"
    ] * 3
    assert unknown["data"]["serviceHistory"]["edges"] == []


async def test_bad_history_page_arguments_are_bad_user_input(observability):
    for variables in [{"first": 0}, {"first": 101}, {"after": "garbage"}]:
        body = await observability.graphql(HISTORY, {"name": "healthy", **variables})
        [error] = body["errors"]
        assert error["extensions"]["code"] == "BAD_USER_INPUT", (variables, error)


async def test_probe_client_lives_exactly_as_long_as_the_app(tmp_path, targets):
    async with admin_subgraph(
        "observability", tmp_path, app_factory=observing(f"healthy={targets}/healthy")
    ) as fresh:
        http = fresh.app.state.observer.http
        assert not http.closed

    assert http.closed


async def test_service_sdl_has_the_query_fields_and_no_entities(observability):
    sdl = (await observability.graphql("{ _service { sdl } }"))["data"]["_service"]["sdl"]

    assert "services: [ServiceStatus!]" in sdl
    assert "serviceHistory(name: String!" in sdl
    assert "@key" not in sdl.split("type ServiceStatus")[1].split("}")[0]
