"""Carrying out an approved held movement, per kind (`review.approve_held_movement`).

An executor replays the money-moving service with the arguments recorded when the movement was
held (`FraudDecision.request`) and `approved_decision_id` set, so every check of the service
(wallet status, balance, limits) runs again and the screen lets it through. It returns the id
of what the movement produced."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.money.fraud.models import FraudDecision, MovementKind

Executor = Callable[[AsyncSession, FraudDecision], Awaitable[str]]

_EXECUTORS: dict[MovementKind, Executor] = {}


def executor_for(kind: MovementKind) -> Executor | None:
    return _EXECUTORS.get(kind)
