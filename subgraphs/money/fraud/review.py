"""Reviewing held movements: administrators list them, approve (the movement executes now,
re-checking balance and limits like any movement) or reject (it never happens).

Each kind of movement has an executor (`executors.py`): it carries out the held movement from
its recorded `request`, passing `approved_decision_id` so the screen does not hold it again,
and returns the id of what it produced. An approval whose execution fails (the balance no
longer covers it, the wallet was frozen...) fails as a whole and the hold stays PENDING."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import HTTPConnection

from subgraphs.kernel.access import ADMIN, is_staff
from subgraphs.kernel.context import Viewer
from subgraphs.kernel.db import utcnow
from subgraphs.kernel.errors import Forbidden
from subgraphs.kernel.events import record_event
from subgraphs.kernel.pagination import Page, paginate
from subgraphs.kernel.validation import optional_text, parse_id
from subgraphs.money.fraud.errors import FraudDecisionNotFound, NoExecutor, NotAwaitingReview
from subgraphs.money.fraud.executors import executor_for
from subgraphs.money.fraud.models import FraudDecision, FraudOutcome, MovementKind, ReviewStatus
from subgraphs.money.fraud.screening import decision_event_payload

MAX_NOTE = 500


def require_admin(viewer: Viewer) -> str:
    """The administrator's user id; UNAUTHENTICATED when anonymous, else FORBIDDEN."""
    user_id = viewer.require_user_id()
    if not is_staff(viewer, ADMIN):
        raise Forbidden("Only administrators review fraud decisions.")
    return user_id


async def list_fraud_decisions(
    session: AsyncSession,
    *,
    viewer: Viewer,
    user_id: str | None = None,
    outcomes: Sequence[FraudOutcome] = (),
    review_status: ReviewStatus | None = None,
    first: int | None = None,
    after: str | None = None,
) -> Page[FraudDecision]:
    """Administrators: decisions newest first, optionally of one user / outcomes / status."""
    require_admin(viewer)
    statement = select(FraudDecision)
    if user_id is not None:
        statement = statement.where(FraudDecision.user_id == parse_id(user_id, field="userId"))
    if outcomes:
        statement = statement.where(FraudDecision.outcome.in_(outcomes))
    if review_status is not None:
        statement = statement.where(FraudDecision.review_status == review_status)
    return await paginate(session, statement, first=first, after=after, descending=True)


async def list_own_held_movements(
    session: AsyncSession,
    *,
    viewer: Viewer,
    review_status: ReviewStatus | None = None,
    first: int | None = None,
    after: str | None = None,
) -> Page[FraudDecision]:
    """The viewer's own held movements (any review status unless given), newest first."""
    user_id = viewer.require_user_id()
    statement = select(FraudDecision).where(
        FraudDecision.user_id == user_id, FraudDecision.outcome == FraudOutcome.HELD
    )
    if review_status is not None:
        statement = statement.where(FraudDecision.review_status == review_status)
    return await paginate(session, statement, first=first, after=after, descending=True)


async def get_fraud_decision(
    session: AsyncSession, *, viewer: Viewer, decision_id: str
) -> FraudDecision | None:
    """The decision, or None when no decision has that id (a malformed id names none either,
    as for every lookup by id in the graph)."""
    require_admin(viewer)
    return await session.get(FraudDecision, decision_id)


async def _pending_for_update(session: AsyncSession, decision_id: str) -> FraudDecision:
    decision_id = parse_id(decision_id, field="decisionId")
    decision = await session.scalar(
        select(FraudDecision).where(FraudDecision.id == decision_id).with_for_update()
    )
    if decision is None:
        raise FraudDecisionNotFound(decision_id)
    if decision.outcome is not FraudOutcome.HELD:
        raise NotAwaitingReview(decision.id, decision.outcome.value)
    if decision.review_status is not ReviewStatus.PENDING:
        state = decision.review_status.value if decision.review_status else "unreviewed"
        raise NotAwaitingReview(decision.id, state)
    return decision


async def approve_held_movement(
    session: AsyncSession,
    *,
    viewer: Viewer,
    decision_id: str,
    note: str | None = None,
    request: HTTPConnection | None = None,
) -> FraudDecision:
    """Execute a held movement now. CONFLICT when it is not pending review; a failed check of
    the movement raises its own error (the hold then stays pending). `request`: the reviewing
    request, for executors that need the app's resources."""
    reviewer_id = require_admin(viewer)
    text = optional_text(note, field="note", max_length=MAX_NOTE) or None
    decision = await _pending_for_update(session, decision_id)
    executor = executor_for(decision.kind)
    if executor is None:
        raise NoExecutor(decision.kind.value)
    decision.review_status = ReviewStatus.APPROVED
    decision.reviewer_id = reviewer_id
    decision.review_note = text
    decision.reviewed_at = utcnow()
    await session.flush()
    decision.result_id = await executor(session, decision, request)
    await session.flush()
    record_event(
        session,
        "money.fraud.approved",
        {**decision_event_payload(decision), "resultId": decision.result_id},
        user_id=decision.user_id,
    )
    return decision


async def reject_held_movement(
    session: AsyncSession, *, viewer: Viewer, decision_id: str, note: str | None = None
) -> FraudDecision:
    """Decline a held movement for good: no money moves."""
    reviewer_id = require_admin(viewer)
    text = optional_text(note, field="note", max_length=MAX_NOTE) or None
    decision = await _pending_for_update(session, decision_id)
    decision.review_status = ReviewStatus.REJECTED
    decision.reviewer_id = reviewer_id
    decision.review_note = text
    decision.reviewed_at = utcnow()
    await session.flush()
    record_event(
        session,
        "money.fraud.rejected",
        decision_event_payload(decision),
        user_id=decision.user_id,
    )
    return decision


__all__ = [
    "MovementKind",
    "approve_held_movement",
    "get_fraud_decision",
    "list_fraud_decisions",
    "list_own_held_movements",
    "reject_held_movement",
]
