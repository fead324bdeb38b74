"""A round of health probes reads the open health alerts of all its targets with one SELECT."""

from __future__ import annotations

from starlette.applications import Starlette

from subgraphs.kernel.settings import Settings
from subgraphs.kernel.statement_timing import parse_statement_timing
from subgraphs.kernel.testing import serve_app
from tests.fixtures.tokens import admin_subgraph
from tests.subgraphs.observability.health_targets import health_targets_app
from tests.subgraphs.observability.test_services import SERVICES, observing


async def test_probing_many_healthy_services_reads_their_alerts_at_once(tmp_path):
    async with serve_app(health_targets_app()) as targets:
        services = ",".join(f"healthy-{number}={targets}/healthy" for number in range(6))
        # Never DEGRADED for being slow on a busy machine; statements counted per request
        # (the app's background probes and retention pass use the engine meanwhile).
        observed = observing(services, timeout=5.0, slow_ms=10_000)

        def factory(settings: Settings) -> Starlette:
            return observed(settings.model_copy(update={"sql_statement_timing": True}))

        async with admin_subgraph("observability", tmp_path, app_factory=factory) as running:
            response = await running.client.post(
                f"{running.url}/graphql", json={"query": SERVICES}, headers=running.headers
            )

    body = response.json()
    assert "errors" not in body, body
    assert [status["status"] for status in body["data"]["services"]] == ["UP"] * 6
    reported = parse_statement_timing(response.headers["server-timing"])
    assert reported is not None
    assert reported[0] == 2  # the probes, kept in one INSERT; their open alerts, one SELECT
