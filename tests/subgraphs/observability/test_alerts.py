"""Live alerts: rules over health probes and domain events raise deduplicated alerts; operators
list, acknowledge and resolve them and watch `alertRaised` over graphql-transport-ws."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from subgraphs.kernel.events import DOMAIN_EVENTS
from subgraphs.kernel.settings import Settings
from subgraphs.kernel.testing import RunningSubgraph, migrated_settings, serve_app
from subgraphs.observability.app import create_app
from subgraphs.observability.settings import AlertSettings, ObservabilitySettings
from tests.fixtures.tokens import Secured, TokenMint, serving_jwks
from tests.subgraphs.kernel.events_probe import serve_with_websockets, transport_ws

ALERTS = """
query($status: [AlertStatus!], $minSeverity: AlertSeverity! = INFO) {
  alerts(status: $status, minSeverity: $minSeverity) {
    edges { node {
      id dedupKey source severity status title count firstSeenAt lastSeenAt
      acknowledgedBy resolvedBy
    } }
  }
}
"""
ACK = "mutation($id: ID!) { acknowledgeAlert(input: {id: $id}) { id status acknowledgedBy } }"
RESOLVE = "mutation($id: ID!) { resolveAlert(input: {id: $id}) { id status resolvedBy } }"
RAISED = """
subscription($min: AlertSeverity!) {
  alertRaised(minSeverity: $min) { id dedupKey severity status title count resolvedBy }
}
"""


@dataclass
class Flappy:
    """A health endpoint whose answer the test switches."""

    healthy: bool = True

    async def health(self, _: Request) -> Response:
        if self.healthy:
            return JSONResponse({"status": "pass"})
        return JSONResponse({"status": "fail"}, status_code=503)


@dataclass(frozen=True)
class Watched:
    secured: Secured
    flappy: Flappy

    @property
    def operator(self) -> RunningSubgraph:
        return self.secured.as_user(OPERATOR_ID, "user", "operator")

    def bearer(self, *roles: str) -> dict[str, str]:
        return self.secured.mint.bearer(str(uuid.uuid4()), *roles, lifetime=600)

    async def publish(self, event_type: str, count: int = 1, **payload: Any) -> list[str]:
        bus = self.secured.subgraph.app.state.events
        ids = []
        for _ in range(count):
            event_id = uuid.uuid4().hex
            ids.append(event_id)
            await bus.publish(DOMAIN_EVENTS, envelope(event_type, event_id, payload))
        return ids


OPERATOR_ID = str(uuid.uuid4())


def envelope(event_type: str, event_id: str, payload: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": event_id,
        "type": event_type,
        "source": event_type.split(".")[0],
        "occurredAt": datetime.now(UTC).isoformat(),
        "userId": None,
        "payload": payload,
    }


@pytest.fixture(scope="module")
async def watched(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Watched]:
    flappy = Flappy()
    directory = tmp_path_factory.mktemp("observability-alerts")
    target_app = Starlette(routes=[Route("/health", flappy.health)])
    mint = TokenMint.in_directory(directory)
    async with serve_app(target_app) as target, serving_jwks(mint) as jwks_url:
        observed = ObservabilitySettings(
            services=f"flappy={target}/health", timeout_seconds=1, interval_seconds=0.1
        )
        limits = AlertSettings(failed_logins=3, account_locks=2, payment_failures=2)

        settings: Settings = await migrated_settings("observability", directory)
        app = create_app(settings.model_copy(update={"jwks_url": jwks_url}), observed, limits)
        async with serve_with_websockets(app) as url, httpx.AsyncClient(timeout=10) as client:
            subgraph = RunningSubgraph(url=url, app=app, client=client)
            secured = Secured(subgraph=subgraph, mint=mint, admin_id=str(uuid.uuid4()))
            yield Watched(secured=secured, flappy=flappy)


async def alerts(caller: RunningSubgraph, **variables: Any) -> list[dict[str, Any]]:
    body = await caller.graphql(ALERTS, variables)
    assert "errors" not in body, body
    return [edge["node"] for edge in body["data"]["alerts"]["edges"]]


async def alert_for(watched: Watched, key: str, check=lambda alert: True) -> dict[str, Any]:
    for _ in range(100):
        found = [a for a in await alerts(watched.operator) if a["dedupKey"] == key]
        if found and check(found[0]):
            return found[0]
        await asyncio.sleep(0.05)
    raise AssertionError(f"no alert {key} as wanted: {found}")


async def next_alert(
    live: Any, operation: str, key: str, *, silent: str | None = None
) -> dict[str, Any]:
    """The next event of `operation` about `key`; operation `silent` must say nothing."""
    while True:
        message = await live.receive()
        assert silent is None or message.get("id") != silent, message
        if message.get("id") != operation:
            continue
        assert message["type"] == "next", message
        alert = message["payload"]["data"]["alertRaised"]
        if alert["dedupKey"] == key:
            return alert


async def test_a_failing_health_check_raises_one_alert_and_recovery_resolves_it(watched: Watched):
    async with transport_ws(
        watched.secured.subgraph.url, watched.bearer("user", "operator")
    ) as live:
        critical_only = await live.subscribe(RAISED, {"min": "CRITICAL"})
        operation = await live.subscribe(RAISED, {"min": "WARNING"})
        await asyncio.sleep(0.2)
        watched.flappy.healthy = False  # answers 503: DEGRADED, a WARNING
        raised = await next_alert(live, operation, "health:flappy", silent=critical_only)
        assert (raised["severity"], raised["status"]) == ("WARNING", "OPEN")
        repeated = await alert_for(watched, "health:flappy", lambda a: a["count"] >= 3)
        assert repeated["status"] == "OPEN" and repeated["source"] == "flappy"
        assert [a["dedupKey"] for a in await alerts(watched.operator)].count("health:flappy") == 1

        watched.flappy.healthy = True
        resolved = raised
        while resolved["status"] != "RESOLVED":
            resolved = await next_alert(live, operation, "health:flappy", silent=critical_only)
    assert resolved["id"] == raised["id"] and resolved["resolvedBy"] is None


async def test_a_burst_of_failed_sign_ins_raises_an_alert_that_counts_up(watched: Watched):
    async with transport_ws(watched.secured.subgraph.url, watched.bearer("user", "admin")) as live:
        operation = await live.subscribe(RAISED, {"min": "WARNING"})
        await asyncio.sleep(0.2)
        [first, *_] = await watched.publish("identity.login.failed", 2)
        await asyncio.sleep(0.3)
        assert [a for a in await alerts(watched.operator) if a["source"] == "identity"] == []
        await watched.publish("identity.login.failed", 1)
        raised = await next_alert(live, operation, "rule:failed-logins")
        assert (raised["severity"], raised["count"]) == ("WARNING", 1)
        assert raised["title"] == "Burst of failed sign-ins: 3 in 5 min"

        # The same event again counts once; new ones bump the one open alert.
        bus = watched.secured.subgraph.app.state.events
        await bus.publish(DOMAIN_EVENTS, envelope("identity.login.failed", first, {}))
        await watched.publish("identity.login.failed", 1)
        bumped = await next_alert(live, operation, "rule:failed-logins")
    assert bumped["id"] == raised["id"] and bumped["count"] == 2
    assert bumped["title"] == "Burst of failed sign-ins: 4 in 5 min"


async def test_payment_failure_spikes_and_account_locks_raise_alerts(watched: Watched):
    await watched.publish("money.deposit.failed", 2, amount=100, currency="EUR")
    payments = await alert_for(watched, "rule:payment-failures")
    assert (payments["source"], payments["severity"]) == ("money", "WARNING")
    await watched.publish("identity.login.locked", 2)
    locks = await alert_for(watched, "rule:account-locks")
    assert locks["title"].startswith("Accounts locked after failed sign-ins: 2")
    await watched.publish("money.deposit.succeeded", 5)
    still = await alert_for(watched, "rule:payment-failures")
    assert still["count"] == 1


async def test_operators_acknowledge_then_resolve_and_a_repeat_opens_a_new_alert(watched: Watched):
    await watched.publish("identity.token.reused", 1)
    alert = await alert_for(watched, "rule:refresh-token-reuse")
    assert alert["severity"] == "CRITICAL"

    acked = await watched.operator.graphql(ACK, {"id": alert["id"]})
    assert acked["data"]["acknowledgeAlert"] == {
        "id": alert["id"],
        "status": "ACKNOWLEDGED",
        "acknowledgedBy": OPERATOR_ID,
    }
    listed = await alerts(watched.operator, status=["ACKNOWLEDGED"], minSeverity="CRITICAL")
    assert alert["id"] in {a["id"] for a in listed}

    resolved = await watched.operator.graphql(RESOLVE, {"id": alert["id"]})
    assert resolved["data"]["resolveAlert"]["status"] == "RESOLVED"
    again = await watched.operator.graphql(RESOLVE, {"id": alert["id"]})
    assert again["errors"][0]["extensions"]["code"] == "CONFLICT"
    late_ack = await watched.operator.graphql(ACK, {"id": alert["id"]})
    assert late_ack["errors"][0]["extensions"]["code"] == "CONFLICT"
    missing = await watched.operator.graphql(ACK, {"id": str(uuid.uuid4())})
    assert missing["errors"][0]["extensions"]["code"] == "NOT_FOUND"

    await watched.publish("identity.token.reused", 1)
    reopened = await alert_for(
        watched, "rule:refresh-token-reuse", lambda a: a["id"] != alert["id"]
    )
    assert reopened["status"] == "OPEN" and reopened["count"] == 1


async def test_only_operators_and_admins_see_alerts(watched: Watched):
    stranger = watched.secured.as_user(str(uuid.uuid4()), "user", "support_agent")
    for caller, code in ((watched.secured.anonymous, "UNAUTHENTICATED"), (stranger, "FORBIDDEN")):
        body = await caller.graphql(ALERTS)
        assert body["data"] == {"alerts": None}, body
        assert [e["extensions"]["code"] for e in body["errors"]] == [code]
        refused = await caller.graphql(ACK, {"id": str(uuid.uuid4())})
        assert [e["extensions"]["code"] for e in refused["errors"]] == [code]
    assert await alerts(watched.secured.admin) is not None

    async with transport_ws(watched.secured.subgraph.url, watched.bearer("user")) as live:
        operation = await live.subscribe(RAISED, {"min": "INFO"})
        message = await live.receive()
    assert message["id"] == operation
    assert [e["extensions"]["code"] for e in message["payload"]["errors"]] == ["FORBIDDEN"]


async def test_the_schema_declares_the_operator_scopes(watched: Watched):
    body = await watched.secured.anonymous.graphql("{ _service { sdl } }")
    sdl = body["data"]["_service"]["sdl"]
    for field in ("alerts(", "acknowledgeAlert(", "resolveAlert(", "alertRaised("):
        line = next(line for line in sdl.splitlines() if field in line)
        assert '@requiresScopes(scopes: [["operator"], ["admin"]])' in line, line
