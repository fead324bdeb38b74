"""`Long` carries 64-bit integers as JSON numbers; `Money` validates its currency."""

from __future__ import annotations

import pytest

from subgraphs.kernel.errors import BadUserInput
from subgraphs.kernel.scalars import Money


async def test_long_round_trips_values_beyond_32_bits(probe):
    body = await probe.graphql("query($v: Long!) { echoLong(value: $v) }", {"v": -(2**63)})

    assert body == {"data": {"echoLong": -(2**63)}}


@pytest.mark.parametrize("value", [1.5, "12", True])
async def test_long_rejects_non_integers(probe, value):
    body = await probe.graphql("query($v: Long!) { echoLong(value: $v) }", {"v": value})

    assert body["data"] is None
    assert "Long must be an integer" in body["errors"][0]["message"]


async def test_money_serialises_amount_as_a_json_number(probe):
    body = await probe.graphql("{ price { amount currency } }")

    assert body == {"data": {"price": {"amount": 123_456_789_012, "currency": "EUR"}}}


async def test_money_sdl_is_shareable(probe):
    sdl = (await probe.graphql("{ _service { sdl } }"))["data"]["_service"]["sdl"]

    assert "type Money @shareable" in sdl
    assert "scalar Long" in sdl


@pytest.mark.parametrize("currency", ["eur", "EURO", "ABC", ""])
def test_money_rejects_unknown_currencies(currency):
    with pytest.raises(BadUserInput):
        Money.of(100, currency)


def test_money_rejects_amounts_beyond_64_bits():
    with pytest.raises(BadUserInput):
        Money.of(2**63, "USD")
