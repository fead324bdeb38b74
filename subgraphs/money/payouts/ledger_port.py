"""How payouts move money in the ledger (`subgraphs.money.ledger`): one balanced journal
transaction per step, referenced by the payout id.

| step                           | postings                                   | kind              |
| ------------------------------ | ------------------------------------------ | ----------------- |
| withdrawFromWallet             | wallet -a, `payouts.in_transit` +a         | WITHDRAWAL        |
| payout.paid                    | in transit -a, `settlement` +a             | PAYOUT_PAID       |
| refused, or payout.failed      | in transit -a, wallet +a                   | PAYOUT_REVERSAL   |

`payouts.in_transit` (per currency, unbounded) holds what has left wallets but not yet the
provider: its balance is the sum of PENDING and IN_TRANSIT payouts. `settlement` is where money
that left the platform ends (minus everything paid out).
"""

from __future__ import annotations

from typing import Final

from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.money.ledger import SETTLEMENT, Entry, post_journal_transaction, system_account
from subgraphs.money.models import JournalTransaction
from subgraphs.money.payouts.models import Payout

IN_TRANSIT: Final = "payouts.in_transit"
DEBIT_KIND: Final = "WITHDRAWAL"
PAID_KIND: Final = "PAYOUT_PAID"
REVERSAL_KIND: Final = "PAYOUT_REVERSAL"


async def debit_wallet(
    session: AsyncSession, payout: Payout, *, initiated_by: str | None
) -> JournalTransaction:
    """Wallet -> in transit; never below the wallet's minimum (`InsufficientFunds`). The
    wallet's posting is `postings[0]`."""
    in_transit = await system_account(session, payout.currency, IN_TRANSIT)
    return await post_journal_transaction(
        session,
        kind=DEBIT_KIND,
        entries=[Entry(payout.wallet_id, -payout.amount), Entry(in_transit.id, payout.amount)],
        memo=payout.description,
        reference=payout.id,
        initiated_by=initiated_by,
    )


async def settle(session: AsyncSession, payout: Payout) -> JournalTransaction:
    """In transit -> settlement: the money has reached the bank account."""
    in_transit = await system_account(session, payout.currency, IN_TRANSIT)
    settlement = await system_account(session, payout.currency, SETTLEMENT)
    return await post_journal_transaction(
        session,
        kind=PAID_KIND,
        entries=[Entry(in_transit.id, -payout.amount), Entry(settlement.id, payout.amount)],
        memo=f"Payout {payout.id[:8]} paid",
        reference=payout.id,
    )


async def return_to_wallet(session: AsyncSession, payout: Payout) -> JournalTransaction:
    """In transit -> wallet (the debit reversed). The wallet's posting is `postings[1]`. A
    frozen wallet receives it too: it is the owner's own money coming back."""
    in_transit = await system_account(session, payout.currency, IN_TRANSIT)
    return await post_journal_transaction(
        session,
        kind=REVERSAL_KIND,
        entries=[Entry(in_transit.id, -payout.amount), Entry(payout.wallet_id, payout.amount)],
        memo=f"Payout {payout.id[:8]} failed: returned",
        reference=payout.id,
    )
