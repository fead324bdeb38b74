"""Property test (hypothesis): random sequences of card deposits (succeeding, declined,
flaky), retried confirmations, wallet payments of orders and refunds of random amounts (some
too big), each in its own unit of work on a migrated SQLite database, keep the invariants:

- the ledger verifies (hash chain, cached balances = postings, every currency sums to zero);
- each wallet holds what a plain model of the operations says, never below zero;
- no payment is ever refunded more than it captured, and its refunds add up to its total;
- a refund is refused exactly when the model says it must be (too big, or the wallet short).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from subgraphs.kernel.context import Viewer
from subgraphs.kernel.db import open_database
from subgraphs.kernel.errors import DomainError
from subgraphs.kernel.testing import migrated_settings
from subgraphs.money import services as wallets
from subgraphs.money.encryption import FieldKeys, install_field_keys
from subgraphs.money.models import Wallet
from subgraphs.money.payments import methods, services
from subgraphs.money.payments.models import (
    PayableOrder,
    Payment,
    PaymentPurpose,
    PaymentStatus,
    Refund,
)
from subgraphs.money.payments.sandbox import SandboxProvider
from subgraphs.money.verification import verify_ledger

PAYER = "00000000-0000-4000-8000-0000000000b1"
ADMIN = Viewer(user_id="00000000-0000-4000-8000-0000000000aa", scopes=frozenset({"admin"}))
SANDBOX = SandboxProvider()
CARDS = {
    "success": "4242424242424242",
    "decline": "4000000000000002",
    "flaky": "4000000000000119",
}

# Each example copies a migrated SQLite template file (the ledger on PostgreSQL has its own
# concurrency test, tests/production/test_money_ledger_on_postgres.py).
pytestmark = pytest.mark.sqlite_only


@dataclass(frozen=True)
class Operation:
    kind: str  # deposit, retry, pay_order, refund
    card: str
    target: int  # which payment a retry or refund names (modulo how many exist)
    amount: int


operations = st.lists(
    st.builds(
        Operation,
        kind=st.sampled_from(["deposit", "deposit", "retry", "pay_order", "refund", "refund"]),
        card=st.sampled_from(list(CARDS)),
        target=st.integers(0, 50),
        amount=st.integers(1, 3_000),
    ),
    min_size=1,
    max_size=20,
)


@dataclass
class Model:
    balance: int = 0
    # payment id -> (purpose, amount captured (0 until SUCCEEDED), refunded so far)
    payments: dict[str, list[Any]] = field(default_factory=dict)
    pending: list[str] = field(default_factory=list)  # PROCESSING after a network error


@contextmanager
def fraud_screening_off() -> Iterator[None]:
    """These sequences are fast and repetitive on purpose: fraud screening is not under test."""
    previous = os.environ.get("EHB_FRAUD_ENABLED")
    os.environ["EHB_FRAUD_ENABLED"] = "0"
    try:
        yield
    finally:
        if previous is None:
            del os.environ["EHB_FRAUD_ENABLED"]
        else:
            os.environ["EHB_FRAUD_ENABLED"] = previous


@pytest.fixture(scope="module")
def template_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("payment-properties")
    asyncio.run(migrated_settings("money", directory))
    install_field_keys(FieldKeys.from_directory(directory / "money-keys"))
    return directory / "money.db"


async def _deposit(sessions: Any, model: Model, wallet_id: str, op: Operation) -> None:
    payer = Viewer(user_id=PAYER)
    async with sessions() as session:
        method = await methods.add_card(
            session,
            owner_id=PAYER,
            provider=SANDBOX,
            card_number=CARDS[op.card],
            exp_month=12,
            exp_year=2040,
            cvc=None,
        )
        payment = await services.create_payment(
            session,
            actor=payer,
            method_id=method.id,
            purpose=PaymentPurpose.DEPOSIT,
            wallet_id=wallet_id,
            amount=op.amount,
        )
        payment = await services.confirm_payment(
            session, actor=payer, provider=SANDBOX, payment_id=payment.id
        )
        await session.commit()
    expected = {
        "success": PaymentStatus.SUCCEEDED,
        "decline": PaymentStatus.FAILED,
        "flaky": PaymentStatus.PROCESSING,
    }[op.card]
    assert payment.status is expected
    model.payments[payment.id] = [PaymentPurpose.DEPOSIT, 0, 0]
    if expected is PaymentStatus.SUCCEEDED:
        model.payments[payment.id][1] = op.amount
        model.balance += op.amount
    elif expected is PaymentStatus.PROCESSING:
        model.pending.append(payment.id)


async def _retry(sessions: Any, model: Model, op: Operation) -> None:
    if not model.pending:
        return
    payment_id = model.pending.pop(op.target % len(model.pending))
    async with sessions() as session:
        payment = await services.confirm_payment(
            session, actor=Viewer(user_id=PAYER), provider=SANDBOX, payment_id=payment_id
        )
        await session.commit()
    assert payment.status is PaymentStatus.SUCCEEDED and payment.attempts == 2
    model.payments[payment_id][1] = payment.amount
    if payment.purpose is PaymentPurpose.DEPOSIT:
        model.balance += payment.amount


async def _pay_order(sessions: Any, model: Model, wallet_method: str, op: Operation) -> None:
    payer = Viewer(user_id=PAYER)
    order_id = str(uuid.uuid4())
    async with sessions() as session:
        session.add(
            PayableOrder(
                order_id=order_id,
                buyer_id=PAYER,
                amount=op.amount,
                currency="EUR",
                cancelled=False,
                event_id=uuid.uuid4().hex,
            )
        )
        payment = await services.create_payment(
            session,
            actor=payer,
            method_id=wallet_method,
            purpose=PaymentPurpose.ORDER,
            order_id=order_id,
        )
        await session.commit()
    try:
        async with sessions() as session:
            paid = await services.confirm_payment(
                session, actor=payer, provider=SANDBOX, payment_id=payment.id
            )
            await session.commit()
    except DomainError:
        assert model.balance < op.amount  # the wallet was short: nothing moved
        return
    assert model.balance >= op.amount and paid.status is PaymentStatus.SUCCEEDED
    model.balance -= op.amount
    model.payments[payment.id] = [PaymentPurpose.ORDER, op.amount, 0]


async def _refund(sessions: Any, model: Model, op: Operation) -> None:
    captured = [pid for pid, (_, amount, _) in model.payments.items() if amount > 0]
    if not captured:
        return
    payment_id = captured[op.target % len(captured)]
    purpose, amount, refunded = model.payments[payment_id]
    allowed = refunded + op.amount <= amount and (
        purpose is PaymentPurpose.ORDER or model.balance >= op.amount
    )
    try:
        async with sessions() as session:
            await services.refund_payment(
                session,
                actor=ADMIN,
                provider=SANDBOX,
                payment_id=payment_id,
                amount=op.amount,
                reason=None,
            )
            await session.commit()
    except DomainError as error:
        assert not allowed, (op, error)
        return
    assert allowed, op
    model.payments[payment_id][2] += op.amount
    model.balance += op.amount if purpose is PaymentPurpose.ORDER else -op.amount


async def _scenario(database_path: Path, steps: list[Operation]) -> None:
    database = open_database(f"sqlite+aiosqlite:///{database_path}")
    try:
        async with database.sessions() as session:
            wallet = await wallets.open_wallet(session, owner_id=PAYER, currency="EUR")
            wallet_method = await methods.add_wallet_method(
                session, owner_id=PAYER, wallet_id=wallet.id
            )
            wallet_id, wallet_method_id = wallet.id, wallet_method.id
            await session.commit()
        model = Model()
        for op in steps:
            if op.kind == "deposit":
                await _deposit(database.sessions, model, wallet_id, op)
            elif op.kind == "retry":
                await _retry(database.sessions, model, op)
            elif op.kind == "pay_order":
                await _pay_order(database.sessions, model, wallet_method_id, op)
            else:
                await _refund(database.sessions, model, op)
        async with database.sessions() as session:
            report = await verify_ledger(session)
            stored = await session.get(Wallet, wallet_id)
            assert stored is not None
            balance = stored.balance
            payments = list(await session.scalars(select(Payment)))
            refund_totals = dict(
                (
                    await session.execute(
                        select(Refund.payment_id, func.sum(Refund.amount)).group_by(
                            Refund.payment_id
                        )
                    )
                ).all()
            )
    finally:
        await database.dispose()
    assert report.ok, report
    assert balance == model.balance >= 0
    for payment in payments:
        assert 0 <= payment.refunded_amount <= payment.amount
        assert payment.refunded_amount == int(refund_totals.get(payment.id, 0))
        if payment.id in model.payments:
            assert payment.refunded_amount == model.payments[payment.id][2]


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=operations)
def test_random_payments_and_refunds_keep_every_invariant(
    template_database: Path, tmp_path: Path, steps: list[Operation]
) -> None:
    database_path = tmp_path / f"{uuid.uuid4().hex}.db"
    shutil.copyfile(template_database, database_path)
    with fraud_screening_off():
        asyncio.run(_scenario(database_path, steps))
