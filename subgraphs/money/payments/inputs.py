"""Payments' GraphQL input types."""

from __future__ import annotations

from datetime import datetime

import strawberry

from subgraphs.kernel.scalars import Long
from subgraphs.money.payments import enums as _enums  # noqa: F401 (registers the enums first)
from subgraphs.money.payments.models import PaymentPurpose

IDEMPOTENCY_KEY = (
    "1 to 100 printable characters, new for each new request (a UUID): a retry with the same "
    "key and input returns the first result; the same key with another input is CONFLICT."
)
OWNER_ID = "Administrators only: for this user. Everyone else omits it (or gives their own id)."


@strawberry.input
class AddCardPaymentMethodInput:
    owner_id: strawberry.ID | None = strawberry.field(default=None, description=OWNER_ID)
    card_number: str = strawberry.field(
        description="Tokenised by the provider at once; never stored or logged."
    )
    exp_month: int
    exp_year: int
    cvc: str | None = None


@strawberry.input
class AddBankAccountPaymentMethodInput:
    owner_id: strawberry.ID | None = strawberry.field(default=None, description=OWNER_ID)
    holder_name: str
    account_number: str = strawberry.field(
        description="4 to 34 letters or digits (e.g. an IBAN); encrypted at rest."
    )
    bank_code: str = strawberry.field(description="BIC or routing code.")


@strawberry.input
class AddWalletPaymentMethodInput:
    wallet_id: strawberry.ID = strawberry.field(description="One of the caller's wallets.")


@strawberry.input
class RemovePaymentMethodInput:
    payment_method_id: strawberry.ID


@strawberry.input
class CreatePaymentInput:
    payment_method_id: strawberry.ID
    purpose: PaymentPurpose
    wallet_id: strawberry.ID | None = strawberry.field(
        default=None, description="DEPOSIT: the payer's wallet to fill."
    )
    order_id: strawberry.ID | None = strawberry.field(
        default=None, description="ORDER: the order to pay (its amount is commerce's)."
    )
    amount: Long | None = strawberry.field(
        default=None, description="DEPOSIT only: minor units of the wallet's currency, > 0."
    )
    idempotency_key: str = strawberry.field(description=IDEMPOTENCY_KEY)


@strawberry.input
class ConfirmPaymentInput:
    payment_id: strawberry.ID
    challenge_response: str | None = strawberry.field(
        default=None,
        description="REQUIRES_ACTION: the result of the payer's challenge (sandbox: 'pass').",
    )
    idempotency_key: str = strawberry.field(description=IDEMPOTENCY_KEY)


@strawberry.input
class CancelPaymentInput:
    payment_id: strawberry.ID


@strawberry.input
class RefundPaymentInput:
    payment_id: strawberry.ID
    amount: Long | None = strawberry.field(
        default=None, description="Minor units, > 0; omitted: everything not yet refunded."
    )
    reason: str | None = strawberry.field(default=None, description="At most 200 characters.")
    idempotency_key: str = strawberry.field(description=IDEMPOTENCY_KEY)


@strawberry.input
class PaymentAnalyticsInput:
    since: datetime = strawberry.field(description="Inclusive, with a time zone.")
    until: datetime = strawberry.field(description="Exclusive; at most 366 days after since.")
    currency: str | None = strawberry.field(default=None, description="Only this currency.")
