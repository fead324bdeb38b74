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


class PayoutOutcome(enum.Enum):
    IN_TRANSIT = "IN_TRANSIT"
    """Accepted; `payout.paid` or `payout.failed` arrives later as a signed webhook."""
    FAILED = "FAILED"
    """Refused at once (e.g. the account is closed): no money left the provider."""


@dataclass(frozen=True, slots=True)
class PayoutResult:
    outcome: PayoutOutcome
    reference: str
    """The provider's id of the payout (its webhooks name it)."""
    failure_code: str | None = None
    failure_message: str | None = None


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

    async def create_payout(
        self,
        *,
        account_number: str,
        bank_code: str,
        holder_name: str,
        amount: int,
        currency: str,
        idempotency_key: str,
        attempt: int,
    ) -> PayoutResult:
        """Send `amount` to the bank account. The same `idempotency_key` never pays twice (a
        retry after `ProviderNetworkError` answers the first payout)."""
        ...
