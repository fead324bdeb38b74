"""The payment intent state machine: every allowed move, and every other refused clearly."""

from __future__ import annotations

import itertools

import pytest

from subgraphs.money.payments.errors import IllegalPaymentTransition
from subgraphs.money.payments.models import PaymentStatus as S
from subgraphs.money.payments.states import ALLOWED, FINAL, can_move, require_transition

LEGAL = {
    (S.CREATED, S.REQUIRES_ACTION),
    (S.CREATED, S.PROCESSING),
    (S.CREATED, S.CANCELED),
    (S.REQUIRES_ACTION, S.PROCESSING),
    (S.REQUIRES_ACTION, S.CANCELED),
    (S.REQUIRES_ACTION, S.FAILED),
    (S.PROCESSING, S.PROCESSING),
    (S.PROCESSING, S.SUCCEEDED),
    (S.PROCESSING, S.FAILED),
}


def test_the_table_allows_exactly_the_documented_moves() -> None:
    allowed = {(a, b) for a, nexts in ALLOWED.items() for b in nexts}
    assert allowed == LEGAL


def test_succeeded_failed_and_canceled_are_final() -> None:
    assert {S.SUCCEEDED, S.FAILED, S.CANCELED} == FINAL


@pytest.mark.parametrize(("current", "wanted"), list(itertools.product(S, S)))
def test_every_illegal_move_is_a_conflict_naming_both_states(current: S, wanted: S) -> None:
    if (current, wanted) in LEGAL:
        assert can_move(current, wanted)
        require_transition("p1", current, wanted)
        return
    with pytest.raises(IllegalPaymentTransition) as raised:
        require_transition("p1", current, wanted)
    assert raised.value.extensions["code"] == "CONFLICT"
    assert current.value in raised.value.message and wanted.value in raised.value.message
