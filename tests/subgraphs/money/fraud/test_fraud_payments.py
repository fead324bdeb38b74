"""Payments are screened on their first confirmation, before the provider is charged: a high
amount on a card added minutes ago is held (nothing charged, the intent stays CREATED), and the
administrator's approval confirms it; failed payments count against the payer."""

from __future__ import annotations

import uuid
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from subgraphs.kernel.context import Viewer
from subgraphs.kernel.db import Database
from subgraphs.money import services as wallets
from subgraphs.money.encryption import FieldKey, FieldKeys, install_field_keys
from subgraphs.money.fraud import FraudOutcome, MovementHeld
from subgraphs.money.fraud.models import FraudDecision, MovementKind, ReviewStatus
from subgraphs.money.fraud.review import approve_held_movement
from subgraphs.money.fraud.settings import FraudSettings
from subgraphs.money.models import Wallet
from subgraphs.money.payments import methods, services
from subgraphs.money.payments.models import Payment, PaymentPurpose, PaymentStatus
from subgraphs.money.payments.providers import ProviderRegistry
from subgraphs.money.payments.sandbox import SANDBOX, SandboxProvider
from tests.subgraphs.money.fraud.fraud_helpers import ADMIN, in_request

SUCCESS_CARD = "4242424242424242"
DECLINED_CARD = "4000000000000002"
HIGH = FraudSettings().high_amount
PROVIDER = SandboxProvider()
# What the reviewing request gives executors: the app's payment providers.
REVIEWING = SimpleNamespace(
    app=SimpleNamespace(
        state=SimpleNamespace(
            payment_providers=ProviderRegistry(
                webhook_secret=b"unused", tolerance_seconds=300, providers={SANDBOX: PROVIDER}
            )
        )
    )
)


@pytest.fixture(autouse=True)
def field_keys() -> None:
    """Card tokens are encrypted at rest (the money app's lifespan installs the keys)."""
    install_field_keys(FieldKeys([FieldKey.generate()]))


async def deposit_intent(database: Database, payer: str, card: str, amount: int) -> str:
    async def work(session) -> str:
        wallet = await session.scalar(select(Wallet).where(Wallet.owner_id == payer))
        wallet_id = (
            wallet.id
            if wallet is not None
            else (await wallets.open_wallet(session, owner_id=payer, currency="EUR")).id
        )
        method = await methods.add_card(
            session,
            owner_id=payer,
            provider=PROVIDER,
            card_number=card,
            exp_month=12,
            exp_year=2030,
            cvc="123",
        )
        payment = await services.create_payment(
            session,
            actor=Viewer(user_id=payer),
            method_id=method.id,
            purpose=PaymentPurpose.DEPOSIT,
            wallet_id=wallet_id,
            amount=amount,
        )
        return payment.id

    return await in_request(database, work)


async def confirm(database: Database, payer: str, payment_id: str) -> Payment:
    return await in_request(
        database,
        lambda session: services.confirm_payment(
            session, actor=Viewer(user_id=payer), provider=PROVIDER, payment_id=payment_id
        ),
    )


async def payment(database: Database, payment_id: str) -> Payment:
    async with database.sessions() as session:
        found = await session.get(Payment, payment_id)
        assert found is not None
        return found


async def test_a_high_amount_on_a_brand_new_card_is_held_then_charged_on_approval(database):
    payer = str(uuid.uuid4())
    payment_id = await deposit_intent(database, payer, SUCCESS_CARD, HIGH)

    with pytest.raises(MovementHeld) as held:
        await confirm(database, payer, payment_id)

    assert (await payment(database, payment_id)).status is PaymentStatus.CREATED
    decision_id = held.value.extensions["decisionId"]
    # Confirming again while it is held answers the same hold.
    with pytest.raises(MovementHeld) as again:
        await confirm(database, payer, payment_id)
    assert again.value.extensions["decisionId"] == decision_id

    approved = await in_request(
        database,
        lambda session: approve_held_movement(
            session, viewer=ADMIN, decision_id=decision_id, request=REVIEWING
        ),
    )

    assert approved.kind is MovementKind.PAYMENT
    assert approved.review_status is ReviewStatus.APPROVED
    assert approved.result_id == payment_id
    assert [reason["rule"] for reason in approved.reasons] == ["NEW_METHOD_HIGH_AMOUNT"]
    assert (await payment(database, payment_id)).status is PaymentStatus.SUCCEEDED


async def test_just_below_the_high_amount_a_new_card_passes(database):
    payer = str(uuid.uuid4())
    payment_id = await deposit_intent(database, payer, SUCCESS_CARD, HIGH - 1)

    confirmed = await confirm(database, payer, payment_id)

    assert confirmed.status is PaymentStatus.SUCCEEDED


async def test_declined_payments_count_until_the_next_payment_is_held(database):
    payer = str(uuid.uuid4())
    for _ in range(FraudSettings().failed_payments_limit):
        declined = await confirm(
            database, payer, await deposit_intent(database, payer, DECLINED_CARD, 500)
        )
        assert declined.status is PaymentStatus.FAILED

    with pytest.raises(MovementHeld) as held:
        await confirm(database, payer, await deposit_intent(database, payer, SUCCESS_CARD, 500))

    async with database.sessions() as session:
        decision = await session.get(FraudDecision, held.value.extensions["decisionId"])
    assert decision is not None and decision.outcome is FraudOutcome.HELD
    assert [reason["rule"] for reason in decision.reasons] == ["FAILED_PAYMENTS"]
