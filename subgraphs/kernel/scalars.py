"""Shared scalars and value types: `Long` (64-bit integer) and `Money`.

Pass `config=subgraph_config()` to the schema so `Long` is known; use `Money` for any amount.
"""

from __future__ import annotations

from typing import Any, NewType

import strawberry
from strawberry.schema.config import StrawberryConfig

from subgraphs.kernel.currencies import validate_currency
from subgraphs.kernel.errors import BadUserInput

Long = NewType("Long", int)

LONG_MIN = -(2**63)
LONG_MAX = 2**63 - 1


def _long(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"Long must be an integer, got {value!r}")
    if not LONG_MIN <= value <= LONG_MAX:
        raise ValueError(f"Long out of 64-bit range: {value}")
    return value


LONG_SCALAR = strawberry.scalar(
    name="Long",
    description="A signed 64-bit integer, serialised as a JSON number (money minor units).",
    serialize=_long,
    parse_value=_long,
)


def subgraph_config() -> StrawberryConfig:
    """The Strawberry config every subgraph schema uses (shared scalars)."""
    return StrawberryConfig(scalar_map={Long: LONG_SCALAR})


@strawberry.federation.type(
    shareable=True,
    description="An amount in integer minor units (cents) of an ISO 4217 currency.",
)
class Money:
    amount: Long
    currency: str

    @classmethod
    def of(cls, amount: int, currency: str) -> Money:
        """A validated Money (BAD_USER_INPUT for a bad currency or a non-64-bit amount)."""
        try:
            checked = _long(amount)
        except ValueError as exc:
            raise BadUserInput(str(exc)) from exc
        return cls(amount=Long(checked), currency=validate_currency(currency))
