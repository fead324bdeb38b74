"""Fraud detection on outgoing movements (docs/money.md, "Fraud detection").

Money-moving services call `screen_outgoing_movement(session, OutgoingMovement(...))` before
they write anything; administrators review held movements (`review.py`)."""

from subgraphs.money.fraud.errors import MovementBlocked, MovementHeld
from subgraphs.money.fraud.models import FraudDecision, FraudOutcome, MovementKind
from subgraphs.money.fraud.movement import MovementOrigin, OutgoingMovement, origin_of
from subgraphs.money.fraud.screening import screen_outgoing_movement

__all__ = [
    "FraudDecision",
    "FraudOutcome",
    "MovementBlocked",
    "MovementHeld",
    "MovementKind",
    "MovementOrigin",
    "OutgoingMovement",
    "origin_of",
    "screen_outgoing_movement",
]
