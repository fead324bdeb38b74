"""Payments on PostgreSQL: capture, the compare-and-set state moves, concurrent refunds that
never exceed the capture, signed webhooks deduplicated by event id, and analytics' day
grouping (SQLite covers the rest of the behaviour)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from starlette.applications import Starlette

from subgraphs.kernel.migrations import migrate_to_head_async
from subgraphs.kernel.settings import Settings
from subgraphs.money.app import create_app
from subgraphs.money.payments.providers import ProviderRegistry
from tests.fixtures.tokens import Secured, secured_subgraph
from tests.subgraphs.money.payments.payments_client import (
    ADD_BANK,
    CONFIRM,
    DECLINED_CARD,
    PAYMENT,
    REFUND,
    WALLET_BALANCE,
    confirm,
    create_deposit,
    deposit_by_card,
    error_code,
    key,
    ok,
    open_wallet,
    signed_webhook,
)

pytestmark = pytest.mark.postgres

ANALYTICS = """
query($input: PaymentAnalyticsInput!) {
  paymentAnalytics(input: $input) {
    day method currency count succeeded failed volume { amount } refunded { amount }
    successRate { numerator denominator basisPoints } refundRate { basisPoints }
  }
}
"""


@pytest.fixture(scope="module")
async def on_postgres(
    tmp_path_factory: pytest.TempPathFactory, create_postgres_database: Any
) -> AsyncIterator[Secured]:
    url = await create_postgres_database()
    await migrate_to_head_async("money", url)

    def factory(settings: Settings) -> Starlette:
        return create_app(settings.model_copy(update={"database_urls": {"money": url}}))

    directory = tmp_path_factory.mktemp("payments-postgres")
    async with secured_subgraph("money", directory, app_factory=factory) as secured:
        yield secured


async def test_payments_refunds_webhooks_and_analytics_on_postgres(on_postgres: Secured) -> None:
    payer = on_postgres.as_user(str(uuid.uuid4()), "user")
    admin = on_postgres.admin
    wallet_id = await open_wallet(payer.graphql, "EUR")
    paid = await deposit_by_card(payer.graphql, wallet_id, 1000)
    assert paid["status"] == "SUCCEEDED"
    declined = await deposit_by_card(payer.graphql, wallet_id, 50, DECLINED_CARD)
    assert declined["status"] == "FAILED"
    twice = await asyncio.gather(
        *(
            payer.graphql(CONFIRM, {"input": {"paymentId": paid["id"], "idempotencyKey": key()}})
            for _ in range(3)
        )
    )
    assert {error_code(body) for body in twice} == {"CONFLICT"}

    async def refund(amount: int) -> dict[str, Any]:
        return await admin.graphql(
            REFUND, {"input": {"paymentId": paid["id"], "amount": amount, "idempotencyKey": key()}}
        )

    replies = await asyncio.gather(*(refund(300) for _ in range(6)))
    assert sum("errors" not in reply for reply in replies) == 3
    assert {error_code(reply) for reply in replies if "errors" in reply} == {"CONFLICT"}
    wallet = ok(await payer.graphql(WALLET_BALANCE, {"id": wallet_id}), "wallet")
    assert wallet["balance"]["amount"] == 100

    method = ok(
        await payer.graphql(
            ADD_BANK,
            {
                "input": {
                    "holderName": "Emmy Noether",
                    "accountNumber": "DE44500105175407324931",
                    "bankCode": "INGDDEFFXXX",
                }
            },
        ),
        "addBankAccountPaymentMethod",
    )
    created = await create_deposit(payer.graphql, method["id"], wallet_id, 700)
    pending = await confirm(payer.graphql, created["id"])
    registry: ProviderRegistry = payer.app.state.payment_providers
    event = {
        "id": f"evt_{uuid.uuid4().hex}",
        "type": "charge.succeeded",
        "data": {"reference": pending["providerReference"]},
    }
    body, headers = signed_webhook(registry.webhook_secret, event)
    url = f"{payer.url}/webhooks/payments/sandbox"
    answers = await asyncio.gather(
        *(payer.client.post(url, content=body, headers=headers) for _ in range(4))
    )
    assert sorted(answer.json()["duplicate"] for answer in answers) == [False, True, True, True]
    settled = ok(await payer.graphql(PAYMENT, {"id": created["id"]}), "payment")
    assert settled["status"] == "SUCCEEDED"
    wallet = ok(await payer.graphql(WALLET_BALANCE, {"id": wallet_id}), "wallet")
    assert wallet["balance"]["amount"] == 800

    now = datetime.now(UTC)
    rows = ok(
        await admin.graphql(
            ANALYTICS,
            {
                "input": {
                    "since": (now - timedelta(days=1)).isoformat(),
                    "until": (now + timedelta(days=1)).isoformat(),
                    "currency": "EUR",
                }
            },
        ),
        "paymentAnalytics",
    )
    card = next(row for row in rows if row["method"] == "CARD")
    assert card["day"] == now.date().isoformat()
    assert card["succeeded"] >= 1 and card["failed"] >= 1
    assert card["successRate"]["denominator"] == card["succeeded"] + card["failed"]
