"""The facts the fraud rules score, read from the decision log and the outbox."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.money.fraud.models import FraudDecision, FraudOutcome, ReviewStatus
from subgraphs.money.fraud.movement import OutgoingMovement
from subgraphs.money.fraud.rules import MovementFacts
from subgraphs.money.fraud.settings import FraudSettings
from subgraphs.money.models import Outbox

FAILED_PAYMENT_EVENT = "money.payment.failed"


async def _count(session: AsyncSession, *conditions: ColumnElement[bool]) -> int:
    found = await session.scalar(select(func.count()).select_from(FraudDecision).where(*conditions))
    return int(found or 0)


async def gather_facts(
    session: AsyncSession, movement: OutgoingMovement, settings: FraudSettings, now: datetime
) -> MovementFacts:
    since = now - timedelta(seconds=settings.velocity_window_seconds)
    recent = FraudDecision.created_at >= since
    origin = movement.origin
    device_count = (
        await _count(session, FraudDecision.device_id == origin.device_id, recent)
        if origin.device_id is not None
        else None
    )
    address_count = (
        await _count(session, FraudDecision.client_address == origin.client_address, recent)
        if origin.client_address is not None
        else None
    )
    history = (
        await session.execute(
            select(func.count(), func.coalesce(func.sum(FraudDecision.amount), 0)).where(
                FraudDecision.user_id == movement.user_id,
                FraudDecision.currency == movement.currency,
                FraudDecision.created_at >= now - timedelta(days=settings.history_window_days),
                or_(
                    FraudDecision.outcome == FraudOutcome.PASSED,
                    FraudDecision.review_status == ReviewStatus.APPROVED,
                ),
            )
        )
    ).one()
    method_age = (
        max(0, int((now - movement.payment_method_created_at).total_seconds()))
        if movement.payment_method_created_at is not None
        else None
    )
    failed = await session.scalar(
        select(func.count())
        .select_from(Outbox)
        .where(
            Outbox.type == FAILED_PAYMENT_EVENT,
            Outbox.user_id == movement.user_id,
            Outbox.occurred_at >= now - timedelta(seconds=settings.failed_payments_window_seconds),
        )
    )
    return MovementFacts(
        amount=movement.amount,
        currency=movement.currency,
        user_recent_movements=await _count(
            session, FraudDecision.user_id == movement.user_id, recent
        ),
        device_recent_movements=device_count,
        address_recent_movements=address_count,
        history_count=int(history[0]),
        history_total=int(history[1]),
        payment_method_age_seconds=method_age,
        recent_failed_payments=int(failed or 0),
    )
