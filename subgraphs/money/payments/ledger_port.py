"""How payments move money in the ledger (`subgraphs.money.ledger`): one balanced journal
transaction per capture and per refund, referenced by the payment id.

System accounts, one per currency: `payments.clearing` (money on its way from or to the
provider: negative while the provider owes it to us) and `payments.merchant` (order payments
held for the sellers until payout). Wallets are bounded by their minimum balance, so a refund
of a deposit already spent is refused (CONFLICT) instead of overdrawing the wallet.

| payment                    | capture                        | refund of x                    |
| -------------------------- | ------------------------------ | ------------------------------ |
| DEPOSIT by card or bank    | clearing -a, payer wallet +a   | payer wallet -x, clearing +x   |
| ORDER by card or bank      | clearing -a, merchant +a       | merchant -x, clearing +x       |
| ORDER by EHB wallet        | payer wallet -a, merchant +a   | merchant -x, payer wallet +x   |
"""

from __future__ import annotations

from typing import Final

from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.money.ledger import Entry, post_journal_transaction, system_account
from subgraphs.money.payments.models import Payment, PaymentPurpose, Refund

CLEARING: Final = "payments.clearing"
MERCHANT: Final = "payments.merchant"
CAPTURE_KIND: Final = "PAYMENT_CAPTURE"
REFUND_KIND: Final = "PAYMENT_REFUND"


async def _source_and_destination(session: AsyncSession, payment: Payment) -> tuple[str, str]:
    """Where a capture takes the money from, and where it puts it."""
    if payment.purpose is PaymentPurpose.DEPOSIT:
        assert payment.wallet_id is not None
        clearing = await system_account(session, payment.currency, CLEARING)
        return clearing.id, payment.wallet_id
    merchant = await system_account(session, payment.currency, MERCHANT)
    if payment.wallet_id is not None:  # paid from the payer's EHB wallet
        return payment.wallet_id, merchant.id
    clearing = await system_account(session, payment.currency, CLEARING)
    return clearing.id, merchant.id


async def capture(session: AsyncSession, payment: Payment, *, initiated_by: str | None) -> str:
    """Post the payment's capture; the journal transaction id."""
    source, destination = await _source_and_destination(session, payment)
    journal = await post_journal_transaction(
        session,
        kind=CAPTURE_KIND,
        entries=[Entry(source, -payment.amount), Entry(destination, payment.amount)],
        memo=f"Payment {payment.id[:8]} ({payment.purpose.value.lower()})",
        reference=payment.id,
        initiated_by=initiated_by,
    )
    return journal.id


async def refund(
    session: AsyncSession, payment: Payment, refund: Refund, *, initiated_by: str | None
) -> str:
    """Post the capture's reverse for `refund.amount`; the journal transaction id."""
    source, destination = await _source_and_destination(session, payment)
    journal = await post_journal_transaction(
        session,
        kind=REFUND_KIND,
        entries=[Entry(destination, -refund.amount), Entry(source, refund.amount)],
        memo=f"Refund {refund.id[:8]} of payment {payment.id[:8]}",
        reference=payment.id,
        initiated_by=initiated_by,
    )
    return journal.id
