"""The built-in sandbox provider: no network, deterministic test cards.

| card number        | what a charge does                                                    |
| ------------------ | --------------------------------------------------------------------- |
| 4242 4242 4242 4242 | succeeds                                                             |
| 4000 0000 0000 0002 | is declined (`card_declined`)                                        |
| 4000 0000 0000 9995 | is declined (`insufficient_funds`)                                   |
| 4000 0000 0000 3220 | needs a 3-D Secure-style challenge (see below)                       |
| 4000 0000 0000 0119 | the first attempt is a network error (retryable), later attempts succeed |
| 4000 0000 0000 0127 | every attempt is a network error                                     |

The challenge card's payment becomes REQUIRES_ACTION; confirming it again with the challenge
response `pass` charges it, any other response fails it.
Other numbers that pass the Luhn check succeed (brand from the first digit).
EHB wallets never reach a provider. Bank debits are always PENDING: a signed webhook
(`charge.succeeded` / `charge.failed` naming the charge reference) settles them.
Payouts (`create_payout`) to these test bank account numbers:

| account number | what a payout does                                                       |
| -------------- | ------------------------------------------------------------------------ |
| 000111111113   | is refused at once (`account_closed`)                                    |
| 000111111116   | every attempt is a network error                                         |
| 000111111119   | the first attempt is a network error, later attempts are accepted        |
| anything else  | is accepted (IN_TRANSIT); a signed `payout.paid` / `payout.failed` settles it |

The token names the card's behaviour (`sbx_<behaviour>_<random>`), so the sandbox stays
stateless and the same card behaves the same after a restart.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Final

from subgraphs.money.payments.errors import InvalidCard
from subgraphs.money.payments.provider import (
    CardToken,
    ChargeOutcome,
    ChargeResult,
    PayoutOutcome,
    PayoutResult,
    ProviderNetworkError,
    RefundResult,
)

SANDBOX = "sandbox"
CHALLENGE_PASS = "pass"

TEST_CARDS: Final[dict[str, str]] = {
    "4242424242424242": "success",
    "4000000000000002": "decline",
    "4000000000009995": "funds",
    "4000000000003220": "challenge",
    "4000000000000119": "flaky",
    "4000000000000127": "down",
}
PAYOUT_ACCOUNT_CLOSED = "000111111113"
PAYOUT_NETWORK_DOWN = "000111111116"
PAYOUT_NETWORK_FLAKY = "000111111119"
_BRANDS: Final = {"4": "visa", "5": "mastercard", "3": "amex", "6": "discover"}


def luhn_valid(number: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(number)):
        digit = int(char)
        if index % 2 == 1:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


def normalise_card_number(raw: str) -> str:
    number = raw.replace(" ", "").replace("-", "")
    if not number.isdigit() or not 12 <= len(number) <= 19:
        raise InvalidCard("the number must be 12 to 19 digits")
    if not luhn_valid(number):
        raise InvalidCard("the number fails its check digit (mistyped?)")
    return number


def _reference(idempotency_key: str) -> str:
    return "sbx_ch_" + hashlib.sha256(idempotency_key.encode()).hexdigest()[:24]


class SandboxProvider:
    name = SANDBOX

    def tokenize_card(
        self, *, number: str, exp_month: int, exp_year: int, cvc: str | None
    ) -> CardToken:
        digits = normalise_card_number(number)
        if cvc is not None and not (cvc.isdigit() and 3 <= len(cvc) <= 4):
            raise InvalidCard("the security code is 3 or 4 digits", field="cvc")
        behaviour = TEST_CARDS.get(digits, "success")
        return CardToken(
            token=f"sbx_{behaviour}_{secrets.token_hex(12)}",
            brand=_BRANDS.get(digits[0], "unknown"),
            last4=digits[-4:],
            exp_month=exp_month,
            exp_year=exp_year,
        )

    async def charge(
        self,
        *,
        token: str,
        amount: int,
        currency: str,
        idempotency_key: str,
        attempt: int,
        challenge_response: str | None,
    ) -> ChargeResult:
        behaviour = token.split("_")[1] if token.startswith("sbx_") else "decline"
        reference = _reference(idempotency_key)
        if behaviour == "down" or (behaviour == "flaky" and attempt <= 1):
            raise ProviderNetworkError("sandbox: connection reset by the test card")
        if behaviour == "decline":
            return ChargeResult(
                ChargeOutcome.DECLINED, reference, "card_declined", "The card was declined."
            )
        if behaviour == "funds":
            return ChargeResult(
                ChargeOutcome.DECLINED,
                reference,
                "insufficient_funds",
                "The card has insufficient funds.",
            )
        if behaviour == "challenge":
            if challenge_response is None:
                return ChargeResult(
                    ChargeOutcome.REQUIRES_ACTION,
                    reference,
                    action_url=f"https://sandbox.ehb.invalid/3ds/{reference}",
                )
            if challenge_response != CHALLENGE_PASS:
                return ChargeResult(
                    ChargeOutcome.DECLINED,
                    reference,
                    "authentication_failed",
                    "The cardholder did not pass the 3-D Secure challenge.",
                )
        return ChargeResult(ChargeOutcome.SUCCEEDED, reference)

    async def debit_bank_account(
        self,
        *,
        account_number: str,
        bank_code: str,
        amount: int,
        currency: str,
        idempotency_key: str,
    ) -> ChargeResult:
        """Always PENDING: the sandbox's (or the test's) signed `charge.succeeded` or
        `charge.failed` webhook settles it."""
        return ChargeResult(ChargeOutcome.PENDING, _reference(idempotency_key))

    async def refund(
        self, *, charge_reference: str, amount: int, currency: str, idempotency_key: str
    ) -> RefundResult:
        digest = hashlib.sha256(idempotency_key.encode()).hexdigest()[:24]
        return RefundResult(reference=f"sbx_re_{digest}")

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
        digest = hashlib.sha256(idempotency_key.encode()).hexdigest()[:24]
        reference = f"sbx_po_{digest}"
        if account_number == PAYOUT_NETWORK_DOWN or (
            account_number == PAYOUT_NETWORK_FLAKY and attempt <= 1
        ):
            raise ProviderNetworkError("sandbox: connection reset by the test bank account")
        if account_number == PAYOUT_ACCOUNT_CLOSED:
            return PayoutResult(
                PayoutOutcome.FAILED, reference, "account_closed", "The bank account is closed."
            )
        return PayoutResult(PayoutOutcome.IN_TRANSIT, reference)
