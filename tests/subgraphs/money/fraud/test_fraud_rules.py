"""Each fraud rule on its own, with the near misses just below its threshold (pure functions)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from subgraphs.money.fraud.rules import (
    MovementFacts,
    Score,
    Verdict,
    address_velocity,
    amount_spike,
    decide,
    device_velocity,
    failed_payments,
    new_method_high_amount,
    score_movement,
    user_velocity,
)
from subgraphs.money.fraud.settings import FraudSettings

SETTINGS = FraudSettings()

QUIET = MovementFacts(
    amount=1_000,
    currency="EUR",
    user_recent_movements=0,
    device_recent_movements=0,
    address_recent_movements=0,
    history_count=0,
    history_total=0,
    payment_method_age_seconds=None,
    recent_failed_payments=0,
)


def test_a_quiet_movement_scores_nothing_and_passes():
    score = score_movement(QUIET, SETTINGS)

    assert score == Score(points=0, reasons=())
    assert decide(score, SETTINGS) is Verdict.PASS


def test_user_velocity_fires_at_the_limit_and_not_one_below():
    limit = SETTINGS.user_velocity_limit

    assert user_velocity(replace(QUIET, user_recent_movements=limit - 1), SETTINGS) is None
    reason = user_velocity(replace(QUIET, user_recent_movements=limit), SETTINGS)
    assert reason is not None
    assert (reason.rule, reason.points) == ("USER_VELOCITY", SETTINGS.user_velocity_points)


def test_device_velocity_fires_at_the_limit_and_ignores_an_unknown_device():
    limit = SETTINGS.device_velocity_limit

    assert device_velocity(replace(QUIET, device_recent_movements=limit - 1), SETTINGS) is None
    assert device_velocity(replace(QUIET, device_recent_movements=None), SETTINGS) is None
    reason = device_velocity(replace(QUIET, device_recent_movements=limit), SETTINGS)
    assert reason is not None and reason.rule == "DEVICE_VELOCITY"


def test_address_velocity_fires_at_the_limit_and_ignores_an_unknown_address():
    limit = SETTINGS.address_velocity_limit

    assert address_velocity(replace(QUIET, address_recent_movements=limit - 1), SETTINGS) is None
    assert address_velocity(replace(QUIET, address_recent_movements=None), SETTINGS) is None
    reason = address_velocity(replace(QUIET, address_recent_movements=limit), SETTINGS)
    assert reason is not None and reason.rule == "ADDRESS_VELOCITY"


def test_amount_spike_compares_with_the_average_without_division():
    # Three movements averaging 1000 (total 3000): the spike is anything above 5 x 1000.
    history = replace(QUIET, history_count=3, history_total=3_000)

    assert amount_spike(replace(history, amount=5_000), SETTINGS) is None
    reason = amount_spike(replace(history, amount=5_001), SETTINGS)
    assert reason is not None
    assert reason.rule == "AMOUNT_SPIKE"
    assert "average of 1000 over 3 movements" in reason.detail


def test_amount_spike_needs_enough_history():
    short = replace(QUIET, history_count=SETTINGS.history_min_movements - 1, history_total=2)

    assert amount_spike(replace(short, amount=10**12), SETTINGS) is None


def test_amount_spike_uses_exact_integers_for_huge_amounts():
    # 2**62 minor units: a float comparison would lose the last unit.
    total = 3 * 2**60
    history = replace(QUIET, history_count=3, history_total=total)

    assert amount_spike(replace(history, amount=5 * 2**60), SETTINGS) is None
    assert amount_spike(replace(history, amount=5 * 2**60 + 1), SETTINGS) is not None


def test_new_method_with_a_high_amount_fires_only_with_both():
    high = SETTINGS.high_amount
    young = SETTINGS.new_method_seconds - 1
    fresh = replace(QUIET, payment_method_age_seconds=young)

    assert new_method_high_amount(replace(fresh, amount=high - 1), SETTINGS) is None
    old = replace(QUIET, payment_method_age_seconds=SETTINGS.new_method_seconds, amount=high)
    assert new_method_high_amount(old, SETTINGS) is None
    assert new_method_high_amount(replace(QUIET, amount=high), SETTINGS) is None  # no method
    reason = new_method_high_amount(replace(fresh, amount=high), SETTINGS)
    assert reason is not None and reason.rule == "NEW_METHOD_HIGH_AMOUNT"


def test_the_high_amount_can_differ_per_currency():
    settings = FraudSettings(high_amount_by_currency={"JPY": 150_000})
    fresh = replace(QUIET, payment_method_age_seconds=0, currency="JPY")

    assert new_method_high_amount(replace(fresh, amount=149_999), settings) is None
    assert new_method_high_amount(replace(fresh, amount=150_000), settings) is not None


def test_failed_payments_fire_at_the_limit():
    limit = SETTINGS.failed_payments_limit

    assert failed_payments(replace(QUIET, recent_failed_payments=limit - 1), SETTINGS) is None
    reason = failed_payments(replace(QUIET, recent_failed_payments=limit), SETTINGS)
    assert reason is not None and reason.rule == "FAILED_PAYMENTS"


def test_points_add_up_to_hold_then_block():
    one = replace(QUIET, user_recent_movements=SETTINGS.user_velocity_limit)
    two = replace(one, recent_failed_payments=SETTINGS.failed_payments_limit)

    held = score_movement(one, SETTINGS)
    blocked = score_movement(two, SETTINGS)

    assert held.points == 40 and decide(held, SETTINGS) is Verdict.HOLD
    assert [reason.rule for reason in blocked.reasons] == ["USER_VELOCITY", "FAILED_PAYMENTS"]
    assert blocked.points == 80 and decide(blocked, SETTINGS) is Verdict.BLOCK


def test_decisions_at_the_exact_thresholds():
    assert decide(Score(39, ()), SETTINGS) is Verdict.PASS
    assert decide(Score(40, ()), SETTINGS) is Verdict.HOLD
    assert decide(Score(79, ()), SETTINGS) is Verdict.HOLD
    assert decide(Score(80, ()), SETTINGS) is Verdict.BLOCK


def test_a_rule_weighted_zero_is_switched_off():
    settings = FraudSettings(user_velocity_points=0)
    facts = replace(QUIET, user_recent_movements=100)

    assert score_movement(facts, settings).reasons == ()


def test_settings_refuse_a_block_score_below_the_hold_score():
    with pytest.raises(ValueError, match="BLOCK_SCORE"):
        FraudSettings(hold_score=50, block_score=40)


def test_settings_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("EHB_FRAUD_USER_VELOCITY_LIMIT", "2")
    monkeypatch.setenv("EHB_FRAUD_HIGH_AMOUNT_BY_CURRENCY", '{"JPY": 150000}')

    settings = FraudSettings()

    assert settings.user_velocity_limit == 2
    assert settings.high_amount_for("JPY") == 150_000
    assert settings.high_amount_for("EUR") == SETTINGS.high_amount
