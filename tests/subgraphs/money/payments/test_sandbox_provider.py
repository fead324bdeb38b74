"""The sandbox provider's deterministic test cards."""

from __future__ import annotations

import pytest

from subgraphs.money.payments.errors import InvalidCard
from subgraphs.money.payments.provider import ChargeOutcome, ProviderNetworkError
from subgraphs.money.payments.sandbox import SandboxProvider, luhn_valid

SANDBOX = SandboxProvider()


def token_of(number: str) -> str:
    return SANDBOX.tokenize_card(number=number, exp_month=12, exp_year=2099, cvc="123").token


async def charge(number: str, *, attempt: int = 1, challenge: str | None = None) -> ChargeOutcome:
    result = await SANDBOX.charge(
        token=token_of(number),
        amount=1000,
        currency="EUR",
        idempotency_key="k",
        attempt=attempt,
        challenge_response=challenge,
    )
    return result.outcome


def test_tokenising_keeps_brand_and_last_four_but_never_the_number() -> None:
    card = SANDBOX.tokenize_card(number="4242 4242 4242 4242", exp_month=1, exp_year=2099, cvc=None)
    assert (card.brand, card.last4) == ("visa", "4242")
    assert "4242424242424242" not in card.token


@pytest.mark.parametrize("number", ["4242424242424241", "12", "4242-abcd-4242-4242"])
def test_numbers_failing_the_check_digit_or_format_are_bad_input(number: str) -> None:
    with pytest.raises(InvalidCard):
        token_of(number)


def test_luhn() -> None:
    assert luhn_valid("4242424242424242") and not luhn_valid("4242424242424243")


async def test_the_test_cards_behave_as_documented() -> None:
    assert await charge("4242424242424242") is ChargeOutcome.SUCCEEDED
    assert await charge("4000000000000002") is ChargeOutcome.DECLINED
    assert await charge("4000000000009995") is ChargeOutcome.DECLINED
    assert await charge("4000000000003220") is ChargeOutcome.REQUIRES_ACTION
    assert await charge("4000000000003220", challenge="pass") is ChargeOutcome.SUCCEEDED
    assert await charge("4000000000003220", challenge="nope") is ChargeOutcome.DECLINED
    assert await charge("4000000000000119", attempt=2) is ChargeOutcome.SUCCEEDED
    with pytest.raises(ProviderNetworkError):
        await charge("4000000000000119", attempt=1)
    with pytest.raises(ProviderNetworkError):
        await charge("4000000000000127", attempt=5)


async def test_the_same_idempotency_key_names_the_same_charge() -> None:
    first = await SANDBOX.charge(
        token=token_of("4242424242424242"),
        amount=1,
        currency="EUR",
        idempotency_key="payment:x",
        attempt=1,
        challenge_response=None,
    )
    again = await SANDBOX.charge(
        token=token_of("4242424242424242"),
        amount=1,
        currency="EUR",
        idempotency_key="payment:x",
        attempt=2,
        challenge_response=None,
    )
    assert first.reference == again.reference
