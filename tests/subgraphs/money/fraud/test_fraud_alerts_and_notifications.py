"""Fraud events as their consumers see them: observability's rules raise an alert on the first
hold or block (and count further ones into it); support's templates tell the user."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from subgraphs.kernel.db import Database, open_database
from subgraphs.kernel.testing import migrated_settings
from subgraphs.observability.models import AlertSeverity
from subgraphs.observability.rules import Thresholds, evaluate_event, threshold_rules
from subgraphs.support.models import NotificationCategory
from subgraphs.support.templates import render

USER = "2f0c3c1e-8d3f-4d7e-9a51-0b7c1f2e3d4a"


def fraud_event(kind: str, **payload) -> dict:
    return {
        "id": uuid.uuid4().hex,
        "type": f"money.fraud.{kind}",
        "source": "money",
        "userId": USER,
        "payload": {
            "decisionId": str(uuid.uuid4()),
            "kind": "TRANSFER",
            "amount": 125_000,
            "currency": "EUR",
            "score": 40,
            "rules": ["USER_VELOCITY"],
            **payload,
        },
    }


@pytest.fixture
async def observability(tmp_path: Path) -> AsyncIterator[Database]:
    settings = await migrated_settings("observability", tmp_path)
    database = open_database(settings.database_url("observability"))
    yield database
    await database.dispose()


async def test_the_first_hold_raises_a_warning_and_the_next_counts_into_it(observability):
    rules = threshold_rules(Thresholds())
    async with observability.sessions() as session:
        [first] = await evaluate_event(session, rules, fraud_event("held"))
        [second] = await evaluate_event(session, rules, fraud_event("held"))
        await session.commit()

    assert first.dedup_key == "rule:fraud-holds"
    assert first.severity is AlertSeverity.WARNING and first.source == "money"
    assert second.id == first.id
    assert second.title == "Movements held for fraud review: 2 in 60 min"


async def test_a_block_raises_a_critical_alert_and_redelivery_counts_once(observability):
    rules = threshold_rules(Thresholds())
    blocked = fraud_event("blocked")
    async with observability.sessions() as session:
        [alert] = await evaluate_event(session, rules, blocked)
        again = await evaluate_event(session, rules, blocked)
        await session.commit()

    assert alert.dedup_key == "rule:fraud-blocks"
    assert alert.severity is AlertSeverity.CRITICAL
    assert again == []


async def test_fraud_events_are_not_payment_failures(observability):
    rules = threshold_rules(Thresholds(payment_failures=1))
    async with observability.sessions() as session:
        for kind in ("held", "blocked", "approved", "rejected"):
            for alert in await evaluate_event(session, rules, fraud_event(kind)):
                assert alert.dedup_key != "rule:payment-failures"
        await session.rollback()


def test_a_held_movement_tells_the_user_at_once_without_the_rules():
    rendered = render(fraud_event("held"))

    assert rendered is not None
    assert rendered.user_id == USER
    assert rendered.category is NotificationCategory.PAYMENTS and rendered.urgent
    assert rendered.title == "A transaction is on hold for review"
    assert "1,250.00 EUR" in rendered.body
    assert "VELOCITY" not in rendered.body


def test_a_block_is_a_security_notification():
    rendered = render(fraud_event("blocked"))

    assert rendered is not None
    assert rendered.category is NotificationCategory.SECURITY and rendered.urgent
    assert "1,250.00 EUR" in rendered.body


def test_the_review_outcome_reaches_the_user():
    approved = render(fraud_event("approved", resultId=str(uuid.uuid4())))
    rejected = render(fraud_event("rejected"))

    assert approved is not None and approved.title == "Your transaction went through"
    assert rejected is not None and rejected.title == "Your transaction was declined"
    assert not approved.urgent and not rejected.urgent
