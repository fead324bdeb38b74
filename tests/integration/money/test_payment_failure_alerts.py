"""Issue 5's "payment failure spikes from money" end to end: an operator subscribed to
`alertRaised` through the router with the real `graphql-ws` client hears the
"payment-failures" alert once a burst of declined sandbox payments crosses the rule's
threshold (lowered to 3 through `EHB_ALERTS_PAYMENT_FAILURES` for this platform; the rule's
defaults are untouched). money records `money.payment.failed` in the decline's transaction;
the outbox relay publishes it; observability's rule counts it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from tests.fixtures.subscriptions.node_client import node_subscribe
from tests.integration.money.payments_platform import user
from tests.integration.platform.demo import ALICE
from tests.integration.platform.servers import (
    Platform,
    environment,
    prepare_databases,
    start_platform,
)
from tests.subgraphs.money.payments.payments_client import (
    DECLINED_CARD,
    add_card,
    confirm,
    create_deposit,
    open_wallet,
)

pytestmark = pytest.mark.npm

RAISED = "subscription { alertRaised(minSeverity: WARNING) { source severity status title } }"
THRESHOLD = 3


@pytest.fixture(scope="module")
async def platform(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Platform]:
    settings = await prepare_databases(tmp_path_factory.mktemp("payment-alerts"))
    with environment("EHB_ALERTS_PAYMENT_FAILURES", str(THRESHOLD)):
        running = await start_platform(settings)
    yield running
    await running.stop()


@pytest.fixture(autouse=True)
def without_fraud_holds(monkeypatch: pytest.MonkeyPatch) -> None:
    """The declines repeat until the alert is heard: fraud screening would hold the payer's
    payments after a few failures (FAILED_PAYMENTS, docs/money.md), which is not tested here."""
    monkeypatch.setenv("EHB_FRAUD_ENABLED", "0")


async def test_a_burst_of_declined_payments_raises_the_payment_failures_alert(
    platform: Platform, npm_tools: None
) -> None:
    operator_token = platform.bearer(ALICE, "user", "operator")["Authorization"]
    client = await node_subscribe(
        platform.graphql_url.replace("http://", "ws://"),
        RAISED,
        "--token",
        operator_token.removeprefix("Bearer "),
    )
    async with aiohttp.ClientSession() as http:
        _, payer = user(http, platform)
        wallet_id = await open_wallet(payer.graphql, "EUR")
        method_id = await add_card(payer.graphql, DECLINED_CARD)
        try:
            assert await client.line() == {"event": "connected"}
            heard: list[dict[str, Any]] = []
            declined = 0
            # An alert raised before the router's upstream subscription reaches observability
            # reaches nobody, so keep declining (each repeat updates the one open alert) until
            # the operator hears it.
            async with asyncio.timeout(30):
                while not any(alert["source"] == "money" for alert in heard):
                    payment = await create_deposit(payer.graphql, method_id, wallet_id, 100)
                    failed = await confirm(payer.graphql, payment["id"])
                    assert failed["status"] == "FAILED"
                    declined += 1
                    try:
                        line = await client.line(seconds=0.3)
                    except TimeoutError:
                        continue
                    assert line["event"] == "next", line
                    heard.append(line["payload"]["data"]["alertRaised"])
            alert = next(alert for alert in heard if alert["source"] == "money")
            assert declined >= THRESHOLD
            assert alert["status"] == "OPEN"
            assert alert["severity"] in ("WARNING", "CRITICAL")
            assert alert["title"].startswith("Payment failures spiking")
        finally:
            await client.stop()
