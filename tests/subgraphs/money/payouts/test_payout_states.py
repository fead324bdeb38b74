"""The payout state machine: the allowed moves, and a clear CONFLICT for the others."""

from __future__ import annotations

import pytest

from subgraphs.money.payouts.errors import IllegalPayoutTransition
from subgraphs.money.payouts.models import PayoutStatus as S
from subgraphs.money.payouts.states import FINAL, can_move, require_transition


def test_the_allowed_moves() -> None:
    assert can_move(S.PENDING, S.PENDING)  # a retry after a network error
    assert can_move(S.PENDING, S.IN_TRANSIT) and can_move(S.PENDING, S.FAILED)
    assert can_move(S.IN_TRANSIT, S.PAID) and can_move(S.IN_TRANSIT, S.FAILED)
    assert not can_move(S.PENDING, S.PAID)  # paid only once the provider accepted it
    assert not can_move(S.IN_TRANSIT, S.PENDING)
    assert {S.PAID, S.FAILED} == FINAL


@pytest.mark.parametrize("final", [S.PAID, S.FAILED])
@pytest.mark.parametrize("wanted", list(S))
def test_final_states_never_move(final: S, wanted: S) -> None:
    with pytest.raises(IllegalPayoutTransition) as refused:
        require_transition("p-1", final, wanted)
    assert refused.value.extensions == {
        "code": "CONFLICT",
        "field": "payoutId",
        "status": final.value,
    }
    assert f"is {final.value}; it cannot become {wanted.value}" in refused.value.message
