"""The domain events identity, money and commerce record with their state changes (in the same
transaction), as relayed to `domain-events`: a sign-in and a failed one, a wallet opened and a
deposit, an order placed, shipped, delivered and another cancelled."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import select

from subgraphs.commerce.models import OrderStatus
from subgraphs.commerce.services import (
    LineRequest,
    create_product,
    place_order,
    register_seller,
    update_order_status,
)
from subgraphs.identity.audit import AuditKind, Client, record
from subgraphs.identity.models import Outbox
from subgraphs.kernel.bus import EventBus
from subgraphs.kernel.events import DOMAIN_EVENTS
from subgraphs.kernel.testing import running_subgraph
from subgraphs.money.services import deposit_to_wallet, open_wallet
from tests.subgraphs.identity.auth_client import login, login_body, register, unique_email


@asynccontextmanager
async def heard_on(bus: EventBus) -> AsyncIterator[list[dict[str, Any]]]:
    heard: list[dict[str, Any]] = []
    subscribed = asyncio.Event()

    async def listen() -> None:
        async with bus.subscribe(DOMAIN_EVENTS) as messages:
            subscribed.set()
            async for message in messages:
                heard.append(message)

    task = asyncio.create_task(listen())
    await subscribed.wait()
    try:
        yield heard
    finally:
        task.cancel()


async def until(heard: list[dict[str, Any]], count: int) -> list[dict[str, Any]]:
    for _ in range(250):
        if len(heard) >= count:
            break
        await asyncio.sleep(0.02)
    return heard


async def test_identity_records_sign_ins_and_failed_sign_ins(tmp_path):
    async with running_subgraph("identity", tmp_path) as identity:
        user = await register(identity, unique_email())
        async with heard_on(identity.app.state.events) as heard:
            await login(identity, user["email"])
            failed = await login_body(identity, user["email"], "not the password at all")
            assert failed["errors"]
            events = await until(heard, 2)

    signed_in, refused = events
    assert signed_in["type"] == "identity.user.signed_in"
    assert signed_in["source"] == "identity"
    assert signed_in["userId"] == user["id"]
    assert set(signed_in["payload"]) >= {"sessionId", "amr", "ipAddress", "userAgent"}
    assert signed_in["payload"]["userAgent"] == "pytest-device"
    assert refused["type"] == "identity.login.failed"
    assert refused["userId"] == user["id"]
    assert refused["payload"]["reason"] == "wrong_password"
    assert "email" not in refused["payload"]


async def test_money_records_wallets_opened_and_deposits(tmp_path):
    owner = str(uuid.uuid4())
    async with (
        running_subgraph("money", tmp_path) as money,
        heard_on(money.app.state.events) as heard,
    ):
        async with money.database.sessions() as session:
            wallet = await open_wallet(session, owner_id=owner, currency="EUR")
            deposit = await deposit_to_wallet(session, actor=None, wallet_id=wallet.id, amount=1250)
            await session.commit()
        opened, deposited = await until(heard, 2)

    assert (opened["type"], opened["userId"]) == ("money.wallet.opened", owner)
    assert opened["payload"] == {"walletId": wallet.id, "currency": "EUR"}
    assert (deposited["type"], deposited["userId"]) == ("money.deposit.succeeded", owner)
    assert deposited["payload"] == {
        "walletId": wallet.id,
        "transactionId": deposit.id,
        "journalTransactionId": deposit.journal_transaction_id,
        "amount": 1250,
        "currency": "EUR",
        "balance": 1250,
    }


async def test_commerce_records_orders_placed_and_their_moves(tmp_path):
    buyer = str(uuid.uuid4())
    async with (
        running_subgraph("commerce", tmp_path) as commerce,
        heard_on(commerce.app.state.events) as heard,
    ):
        async with commerce.database.sessions() as session:
            seller = await register_seller(session, user_id=str(uuid.uuid4()), display_name="Shop")
            product = await create_product(
                session,
                actor=None,
                seller_id=seller.id,
                name="Lamp",
                description="A lamp",
                price_amount=999,
                price_currency="EUR",
                stock=5,
            )
            kept = await place_order(session, buyer_id=buyer, lines=[LineRequest(product.id, 2)])
            dropped = await place_order(session, buyer_id=buyer, lines=[LineRequest(product.id, 1)])
            for status in (OrderStatus.PAID, OrderStatus.SHIPPED, OrderStatus.DELIVERED):
                await update_order_status(session, actor=None, order_id=kept.id, status=status)
            await update_order_status(
                session, actor=None, order_id=dropped.id, status=OrderStatus.CANCELLED
            )
            await session.commit()
        events = await until(heard, 6)

    assert [(event["type"], event["payload"]["orderId"]) for event in events] == [
        ("commerce.order.placed", kept.id),
        ("commerce.order.placed", dropped.id),
        ("commerce.order.paid", kept.id),
        ("commerce.order.shipped", kept.id),
        ("commerce.order.delivered", kept.id),
        ("commerce.order.cancelled", dropped.id),
    ]
    assert all(event["userId"] == buyer for event in events)
    assert events[0]["payload"] == {
        "orderId": kept.id,
        "totalAmount": 1998,
        "currency": "EUR",
        "sellerUserIds": [seller.user_id],
    }
    assert events[3]["payload"]["previousStatus"] == "PAID"
    assert events[3]["payload"]["status"] == "SHIPPED"


async def test_identity_audit_kinds_that_concern_the_user_are_domain_events(tmp_path):
    client = Client(ip_address="203.0.113.9", user_agent="phone")
    kinds = (
        AuditKind.PASSWORD_RESET_COMPLETED,
        AuditKind.MFA_ENABLED,
        AuditKind.MFA_DISABLED,
        AuditKind.LOGIN_MFA_REQUIRED,  # not a domain event
    )
    async with (
        running_subgraph("identity", tmp_path) as identity,
        identity.database.sessions() as session,
    ):
        for kind in kinds:
            record(session, kind, client=client, user_id="user-9", email="a@example.com")
        await session.commit()
        rows = list(await session.scalars(select(Outbox).order_by(Outbox.position)))

    assert [(row.type, row.user_id) for row in rows] == [
        ("identity.password.changed", "user-9"),
        ("identity.mfa.enabled", "user-9"),
        ("identity.mfa.disabled", "user-9"),
    ]
    assert rows[0].payload == {"ipAddress": "203.0.113.9", "userAgent": "phone", "how": "reset"}
