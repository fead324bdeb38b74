"""Signed provider webhooks on the money app: a bank debit waits in PROCESSING until the
provider's signed `charge.succeeded`/`charge.failed`; bad, stale and unsigned webhooks are 400
and recorded; a replayed event id changes nothing."""

from __future__ import annotations

import time
import uuid
from typing import Any

import httpx
from sqlalchemy import func, select

from subgraphs.kernel.testing import RunningSubgraph
from subgraphs.money.models import Outbox
from subgraphs.money.payments.models import RejectedWebhook, WebhookEvent
from subgraphs.money.payments.providers import ProviderRegistry
from tests.fixtures.tokens import Secured
from tests.subgraphs.money.payments.payments_client import (
    ADD_BANK,
    PAYMENT,
    WALLET_BALANCE,
    confirm,
    create_deposit,
    ok,
    open_wallet,
    signed_webhook,
)


def secret_of(money: RunningSubgraph) -> bytes:
    registry: ProviderRegistry = money.app.state.payment_providers
    return registry.webhook_secret


async def post(money: RunningSubgraph, body: bytes, headers: dict[str, str]) -> httpx.Response:
    return await money.client.post(
        f"{money.url}/webhooks/payments/sandbox", content=body, headers=headers
    )


async def pending_bank_deposit(money: RunningSubgraph, amount: int) -> tuple[str, dict[str, Any]]:
    wallet_id = await open_wallet(money.graphql)
    method = ok(
        await money.graphql(
            ADD_BANK,
            {
                "input": {
                    "holderName": "Grace Hopper",
                    "accountNumber": "NL91ABNA0417164300",
                    "bankCode": "ABNANL2A",
                }
            },
        ),
        "addBankAccountPaymentMethod",
    )
    created = await create_deposit(money.graphql, method["id"], wallet_id, amount)
    processing = await confirm(money.graphql, created["id"])
    assert processing["status"] == "PROCESSING" and processing["failure"] is None
    return wallet_id, processing


def charge_event(kind: str, reference: str, **data: str) -> dict[str, Any]:
    return {"id": f"evt_{uuid.uuid4().hex}", "type": kind, "data": {"reference": reference, **data}}


async def count(money: RunningSubgraph, model: type[Any], *where: Any) -> int:
    async with money.database.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


async def test_a_signed_charge_succeeded_settles_a_bank_deposit_once(secured: Secured) -> None:
    money = secured.as_user(str(uuid.uuid4()), "user")
    wallet_id, payment = await pending_bank_deposit(money, 4200)
    event = charge_event("charge.succeeded", payment["providerReference"])
    body, headers = signed_webhook(secret_of(money), event)
    first = await post(money, body, headers)
    assert first.status_code == 200 and first.json()["duplicate"] is False
    settled = ok(await money.graphql(PAYMENT, {"id": payment["id"]}), "payment")
    assert settled["status"] == "SUCCEEDED"
    wallet = ok(await money.graphql(WALLET_BALANCE, {"id": wallet_id}), "wallet")
    assert wallet["balance"]["amount"] == 4200
    replay = await post(money, body, headers)
    assert replay.status_code == 200 and replay.json()["duplicate"] is True
    wallet = ok(await money.graphql(WALLET_BALANCE, {"id": wallet_id}), "wallet")
    assert wallet["balance"]["amount"] == 4200
    assert (
        await count(
            money,
            WebhookEvent,
            WebhookEvent.provider_event_id == event["id"],
            WebhookEvent.payment_id == payment["id"],
        )
        == 1
    )


async def test_a_signed_charge_failed_fails_the_payment(secured: Secured) -> None:
    money = secured.as_user(str(uuid.uuid4()), "user")
    _, payment = await pending_bank_deposit(money, 300)
    event = charge_event(
        "charge.failed",
        payment["providerReference"],
        failureCode="account_closed",
        failureMessage="The bank account is closed.",
    )
    response = await post(money, *signed_webhook(secret_of(money), event))
    assert response.status_code == 200
    failed = ok(await money.graphql(PAYMENT, {"id": payment["id"]}), "payment")
    assert failed["status"] == "FAILED"
    assert failed["failure"]["code"] == "account_closed"


async def test_bad_stale_and_missing_signatures_are_400_and_recorded(secured: Secured) -> None:
    money = secured.as_user(str(uuid.uuid4()), "user")
    _, payment = await pending_bank_deposit(money, 100)
    event = charge_event("charge.succeeded", payment["providerReference"])
    rejected_before = await count(money, RejectedWebhook)
    events_before = await count(money, Outbox, Outbox.type == "money.webhook.rejected")

    forged, headers = signed_webhook(b"not-the-real-secret-at-all", event)
    stale_body, stale_headers = signed_webhook(
        secret_of(money), event, timestamp=int(time.time()) - 3600
    )
    good_body, good_headers = signed_webhook(secret_of(money), event)
    tampered = good_body.replace(b"charge.succeeded", b"charge.failed")
    attempts = [
        (forged, headers, "does not match"),
        (stale_body, stale_headers, "tolerance"),
        (good_body, {"content-type": "application/json"}, "missing"),
        (tampered, good_headers, "does not match"),
    ]
    for body, sent_headers, reason in attempts:
        response = await post(money, body, sent_headers)
        assert response.status_code == 400, response.text
        assert reason in response.json()["error"]

    assert await count(money, RejectedWebhook) == rejected_before + len(attempts)
    assert await count(
        money, Outbox, Outbox.type == "money.webhook.rejected"
    ) == events_before + len(attempts)
    unchanged = ok(await money.graphql(PAYMENT, {"id": payment["id"]}), "payment")
    assert unchanged["status"] == "PROCESSING"


async def test_an_unknown_provider_is_404(secured: Secured) -> None:
    money = secured.subgraph
    response = await money.client.post(f"{money.url}/webhooks/payments/acme", content=b"{}")
    assert response.status_code == 404
