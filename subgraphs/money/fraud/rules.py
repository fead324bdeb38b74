"""The fraud rules as pure functions: facts about one outgoing movement in, points and reasons
out. Integer arithmetic only; no I/O (the facts are gathered by `facts.py`).

Each rule returns a `Reason` when it fires, else None. `score_movement` runs them all and
`decide` turns the total into an outcome with the settings' thresholds."""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass

from subgraphs.money.fraud.settings import FraudSettings


class Verdict(enum.Enum):
    PASS = "PASS"
    HOLD = "HOLD"
    BLOCK = "BLOCK"


@dataclass(frozen=True, slots=True)
class MovementFacts:
    """What the rules look at. Counts are of movements *before* this one."""

    amount: int
    currency: str
    user_recent_movements: int
    device_recent_movements: int | None
    """None when the request named no device."""
    address_recent_movements: int | None
    """None when the client address is unknown."""
    history_count: int
    """Completed movements of the user in this currency within the history window..."""
    history_total: int
    """...and the sum of their amounts."""
    payment_method_age_seconds: int | None
    """None when the movement uses no payment method."""
    recent_failed_payments: int


@dataclass(frozen=True, slots=True)
class Reason:
    rule: str
    points: int
    detail: str

    def as_dict(self) -> dict[str, str | int]:
        return {"rule": self.rule, "points": self.points, "detail": self.detail}


@dataclass(frozen=True, slots=True)
class Score:
    points: int
    reasons: tuple[Reason, ...]


def user_velocity(facts: MovementFacts, settings: FraudSettings) -> Reason | None:
    if facts.user_recent_movements < settings.user_velocity_limit:
        return None
    return Reason(
        "USER_VELOCITY",
        settings.user_velocity_points,
        f"{facts.user_recent_movements} outgoing movements by this user in the last "
        f"{settings.velocity_window_seconds} s (limit {settings.user_velocity_limit})",
    )


def device_velocity(facts: MovementFacts, settings: FraudSettings) -> Reason | None:
    count = facts.device_recent_movements
    if count is None or count < settings.device_velocity_limit:
        return None
    return Reason(
        "DEVICE_VELOCITY",
        settings.device_velocity_points,
        f"{count} outgoing movements from this device in the last "
        f"{settings.velocity_window_seconds} s (limit {settings.device_velocity_limit})",
    )


def address_velocity(facts: MovementFacts, settings: FraudSettings) -> Reason | None:
    count = facts.address_recent_movements
    if count is None or count < settings.address_velocity_limit:
        return None
    return Reason(
        "ADDRESS_VELOCITY",
        settings.address_velocity_points,
        f"{count} outgoing movements from this client address in the last "
        f"{settings.velocity_window_seconds} s (limit {settings.address_velocity_limit})",
    )


def amount_spike(facts: MovementFacts, settings: FraudSettings) -> Reason | None:
    """Fires when amount > multiplier * the user's average, compared without division:
    amount * count > multiplier * total."""
    if facts.history_count < settings.history_min_movements:
        return None
    if facts.amount * facts.history_count <= settings.amount_spike_multiplier * facts.history_total:
        return None
    average = facts.history_total // facts.history_count
    return Reason(
        "AMOUNT_SPIKE",
        settings.amount_spike_points,
        f"{facts.amount} {facts.currency} is more than {settings.amount_spike_multiplier} times "
        f"the user's average of {average} over {facts.history_count} movements",
    )


def new_method_high_amount(facts: MovementFacts, settings: FraudSettings) -> Reason | None:
    age = facts.payment_method_age_seconds
    if age is None or age >= settings.new_method_seconds:
        return None
    high = settings.high_amount_for(facts.currency)
    if facts.amount < high:
        return None
    return Reason(
        "NEW_METHOD_HIGH_AMOUNT",
        settings.new_method_points,
        f"{facts.amount} {facts.currency} (at least {high}) with a payment method added "
        f"{age} s ago (newer than {settings.new_method_seconds} s)",
    )


def failed_payments(facts: MovementFacts, settings: FraudSettings) -> Reason | None:
    if facts.recent_failed_payments < settings.failed_payments_limit:
        return None
    return Reason(
        "FAILED_PAYMENTS",
        settings.failed_payments_points,
        f"{facts.recent_failed_payments} failed payments in the last "
        f"{settings.failed_payments_window_seconds} s (limit {settings.failed_payments_limit})",
    )


Rule = Callable[[MovementFacts, FraudSettings], Reason | None]

RULES: tuple[Rule, ...] = (
    user_velocity,
    device_velocity,
    address_velocity,
    amount_spike,
    new_method_high_amount,
    failed_payments,
)


def score_movement(
    facts: MovementFacts, settings: FraudSettings, rules: tuple[Rule, ...] = RULES
) -> Score:
    reasons = tuple(
        reason
        for rule in rules
        if (reason := rule(facts, settings)) is not None and reason.points > 0
    )
    return Score(points=sum(reason.points for reason in reasons), reasons=reasons)


def decide(score: Score, settings: FraudSettings) -> Verdict:
    if score.points >= settings.block_score:
        return Verdict.BLOCK
    if score.points >= settings.hold_score:
        return Verdict.HOLD
    return Verdict.PASS
