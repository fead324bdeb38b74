"""`screen_outgoing_movement`: the one call money-moving services make before moving money.

PASS records the decision in the request's unit of work (it commits with the movement, or the
movement's failure erases both) and returns it. HOLD and BLOCK must stay on record although the
request then fails (`MovementHeld` / `MovementBlocked`), and the kernel rolls back every failed
mutation whole. So the screen does now what the kernel would do: it rolls the request's unit of
work back, then commits the decision and its event (`money.fraud.held` / `money.fraud.blocked`)
alone on the same session. One connection, whatever the caller wrote before (an idempotency
claim, a row lock): a second session could wait forever on SQLite's single writer or on a
PostgreSQL pool exhausted by requests each holding their first connection. The only service
that commits, and only on its way to an error."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.kernel.db import utcnow
from subgraphs.kernel.events import record_event
from subgraphs.money.fraud.errors import MovementBlocked, MovementHeld, NotAwaitingReview
from subgraphs.money.fraud.facts import gather_facts
from subgraphs.money.fraud.models import (
    FraudDecision,
    FraudOutcome,
    ReviewStatus,
)
from subgraphs.money.fraud.movement import OutgoingMovement
from subgraphs.money.fraud.rules import Score, Verdict, decide, score_movement
from subgraphs.money.fraud.settings import FraudSettings, fraud_settings

_OUTCOMES = {
    Verdict.PASS: FraudOutcome.PASSED,
    Verdict.HOLD: FraudOutcome.HELD,
    Verdict.BLOCK: FraudOutcome.BLOCKED,
}


def decision_event_payload(decision: FraudDecision) -> dict[str, object]:
    return {
        "decisionId": decision.id,
        "kind": decision.kind.value,
        "amount": decision.amount,
        "currency": decision.currency,
        "score": decision.score,
        "rules": [reason["rule"] for reason in decision.reasons],
        "walletId": decision.source_wallet_id,
    }


async def screen_outgoing_movement(
    session: AsyncSession,
    movement: OutgoingMovement,
    *,
    settings: FraudSettings | None = None,
    now: datetime | None = None,
) -> FraudDecision:
    """The PASSED decision for `movement`, or `MovementHeld` (code MOVEMENT_HELD) /
    `MovementBlocked` (FORBIDDEN, reason FRAUD_BLOCKED) after recording why."""
    if movement.approved_decision_id is not None:
        return await _approved_decision(session, movement)
    if movement.idempotency_key is not None:
        earlier = await _earlier_answer(session, movement)
        if earlier is not None:
            return earlier
    settings = settings or fraud_settings()
    now = now or utcnow()
    if settings.enabled:
        score = score_movement(await gather_facts(session, movement, settings, now), settings)
    else:
        score = Score(points=0, reasons=())
    outcome = _OUTCOMES[decide(score, settings)]
    decision = FraudDecision(
        user_id=movement.user_id,
        kind=movement.kind,
        amount=movement.amount,
        currency=movement.currency,
        source_wallet_id=movement.source_wallet_id,
        payment_method_id=movement.payment_method_id,
        client_address=movement.origin.client_address,
        device_id=movement.origin.device_id,
        idempotency_key=movement.idempotency_key,
        score=score.points,
        outcome=outcome,
        reasons=[reason.as_dict() for reason in score.reasons],
        created_at=now,
    )
    if outcome is FraudOutcome.PASSED:
        session.add(decision)
        await session.flush()
        return decision
    if outcome is FraudOutcome.HELD:
        decision.request = dict(movement.request)
        decision.review_status = ReviewStatus.PENDING
    await session.rollback()
    session.add(decision)
    await session.flush()
    record_event(
        session,
        f"money.fraud.{outcome.value.lower()}",
        decision_event_payload(decision),
        user_id=decision.user_id,
    )
    await session.commit()
    if outcome is FraudOutcome.HELD:
        raise MovementHeld(decision.id)
    raise MovementBlocked(decision.id)


async def _earlier_answer(
    session: AsyncSession, movement: OutgoingMovement
) -> FraudDecision | None:
    """A retry (same user and idempotency key) gets the first attempt's answer without a new
    decision (it would count twice towards velocity): the PASSED or approved decision (the
    service's idempotency then replays the result), or the same hold or block again. A
    rejected hold's key may be screened anew."""
    earlier = await session.scalar(
        select(FraudDecision)
        .where(
            FraudDecision.user_id == movement.user_id,
            FraudDecision.idempotency_key == movement.idempotency_key,
            FraudDecision.kind == movement.kind,
        )
        .order_by(FraudDecision.created_at.desc())
        .limit(1)
    )
    if earlier is None or earlier.review_status is ReviewStatus.REJECTED:
        return None
    if earlier.outcome is FraudOutcome.BLOCKED:
        raise MovementBlocked(earlier.id)
    if earlier.review_status is ReviewStatus.PENDING:
        raise MovementHeld(earlier.id)
    return earlier


async def _approved_decision(session: AsyncSession, movement: OutgoingMovement) -> FraudDecision:
    """The held decision an administrator is approving right now (`review.py` locked it and
    marked it APPROVED in this transaction), checked to describe this very movement."""
    decision = await session.get(FraudDecision, movement.approved_decision_id)
    if (
        decision is None
        or decision.outcome is not FraudOutcome.HELD
        or decision.review_status is not ReviewStatus.APPROVED
        or decision.user_id != movement.user_id
        or decision.kind is not movement.kind
        or decision.amount != movement.amount
        or decision.currency != movement.currency
    ):
        raise NotAwaitingReview(
            str(movement.approved_decision_id), "not an approved hold of this movement"
        )
    return decision
