"""What a payment provider does for us, and what it answers. One implementation ships:
`sandbox.SandboxProvider` (deterministic test cards); a real provider implements the same
protocol and signs its webhooks the way `signatures.py` verifies them.

Calls carry an `idempotency_key` the provider must honour (the same key never charges twice),
so retrying after a `ProviderNetworkError` is safe.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Protocol


class ChargeOutcome(enum.Enum):
    SUCCEEDED = "SUCCEEDED"
    DECLINED = "DECLINED"
    REQUIRES_ACTION = "REQUIRES_ACTION"
    PENDING = "PENDING"
    """Accepted; the outcome arrives later as a signed webhook (bank debits)."""


@dataclass(frozen=True, slots=True)
class CardToken:
    """What tokenising a card returns: never the number, only what may be shown."""

    token: str
    brand: str
    last4: str
    exp_month: int
    exp_year: int


@dataclass(frozen=True, slots=True)
class ChargeResult:
    outcome: ChargeOutcome
    reference: str
    """The provider's id of the charge (its webhooks name it)."""
    decline_code: str | None = None
    decline_message: str | None = None
    action_url: str | None = None
    """REQUIRES_ACTION: where the payer completes the challenge."""


@dataclass(frozen=True, slots=True)
class RefundResult:
    reference: str


class ProviderNetworkError(Exception):
    """The provider was not reached or did not answer: nothing is known, retry with the same
    idempotency key."""


class PaymentProvider(Protocol):
    name: str

    def tokenize_card(
        self, *, number: str, exp_month: int, exp_year: int, cvc: str | None
    ) -> CardToken: ...

    async def charge(
        self,
        *,
        token: str,
        amount: int,
        currency: str,
        idempotency_key: str,
        attempt: int,
        challenge_response: str | None,
    ) -> ChargeResult: ...

    async def debit_bank_account(
        self,
        *,
        account_number: str,
        bank_code: str,
        amount: int,
        currency: str,
        idempotency_key: str,
    ) -> ChargeResult: ...

    async def refund(
        self, *, charge_reference: str, amount: int, currency: str, idempotency_key: str
    ) -> RefundResult: ...
