"""Checks that the ledger is what it claims to be (`Query.verifyLedger`, the tests, operators).

- `verify_chain`: recompute every journal transaction's hash in sequence order and report the
  first broken link (a gap in the sequence, content that no longer matches its hash, a
  previous-hash that is not its predecessor's hash, postings that do not balance, or a head
  row that does not point at the last transaction).
- `verify_balances`: every account's cached balance against the sum of its postings.
- `unbalanced_currencies`: the sum of all postings per currency (must be zero).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from subgraphs.money.chain import ChainedPosting, canonical_content, chain_hash
from subgraphs.money.models import GENESIS_HASH, Account, JournalTransaction, LedgerHead, Posting

BATCH = 500


@dataclass(frozen=True, slots=True)
class BrokenLink:
    sequence: int
    journal_transaction_id: str | None
    reason: str  # SEQUENCE_GAP, HASH_MISMATCH, PREVIOUS_HASH_MISMATCH, UNBALANCED, HEAD_MISMATCH
    expected: str
    stored: str


@dataclass(frozen=True, slots=True)
class BalanceMismatch:
    account_id: str
    currency: str
    cached: int
    derived: int


@dataclass(frozen=True, slots=True)
class LedgerReport:
    checked_transactions: int
    broken_link: BrokenLink | None
    balance_mismatches: list[BalanceMismatch] = field(default_factory=list)
    unbalanced_currencies: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return (
            self.broken_link is None
            and not self.balance_mismatches
            and not self.unbalanced_currencies
        )


def _recomputed(journal: JournalTransaction) -> str:
    return chain_hash(
        canonical_content(
            transaction_id=journal.id,
            sequence=journal.sequence,
            kind=journal.kind,
            memo=journal.memo,
            reference=journal.reference,
            created_at=journal.created_at,
            previous_hash=journal.previous_hash,
            postings=[ChainedPosting(p.account_id, p.amount, p.currency) for p in journal.postings],
        )
    )


def _check_link(journal: JournalTransaction, sequence: int, previous: str) -> BrokenLink | None:
    if journal.sequence != sequence:
        return BrokenLink(
            sequence, journal.id, "SEQUENCE_GAP", str(sequence), str(journal.sequence)
        )
    if journal.previous_hash != previous:
        return BrokenLink(
            sequence, journal.id, "PREVIOUS_HASH_MISMATCH", previous, journal.previous_hash
        )
    recomputed = _recomputed(journal)
    if recomputed != journal.hash:
        return BrokenLink(sequence, journal.id, "HASH_MISMATCH", recomputed, journal.hash)
    totals: dict[str, int] = {}
    for posting in journal.postings:
        totals[posting.currency] = totals.get(posting.currency, 0) + posting.amount
    if any(totals.values()) or len(journal.postings) < 2:
        return BrokenLink(sequence, journal.id, "UNBALANCED", "0", str(totals))
    return None


async def verify_chain(session: AsyncSession) -> tuple[int, BrokenLink | None]:
    """(transactions checked, first broken link or None), reading `BATCH` rows at a time."""
    checked, previous, last_sequence = 0, GENESIS_HASH, 0
    while True:
        batch = list(
            await session.scalars(
                select(JournalTransaction)
                .where(JournalTransaction.sequence > last_sequence)
                .order_by(JournalTransaction.sequence)
                .limit(BATCH)
                .options(selectinload(JournalTransaction.postings))
                .execution_options(populate_existing=True)
            )
        )
        for journal in batch:
            broken = _check_link(journal, last_sequence + 1, previous)
            if broken is not None:
                return checked, broken
            checked, previous, last_sequence = checked + 1, journal.hash, journal.sequence
        if len(batch) < BATCH:
            break
    head = await session.get(LedgerHead, 1, populate_existing=True)
    head_state = (head.sequence, head.hash) if head is not None else (0, GENESIS_HASH)
    if head_state != (last_sequence, previous):
        return checked, BrokenLink(
            last_sequence + 1,
            None,
            "HEAD_MISMATCH",
            f"{last_sequence}:{previous}",
            f"{head_state[0]}:{head_state[1]}",
        )
    return checked, None


async def verify_balances(session: AsyncSession) -> list[BalanceMismatch]:
    """Every account whose cached balance differs from the sum of its postings."""
    derived = func.coalesce(
        select(func.sum(Posting.amount))
        .where(Posting.account_id == Account.id)
        .correlate(Account)
        .scalar_subquery(),
        0,
    )
    rows = await session.execute(
        select(Account.id, Account.currency, Account.balance, derived)
        .where(Account.balance != derived)
        .order_by(Account.id)
    )
    return [
        BalanceMismatch(account_id, currency, int(cached), int(summed))
        for account_id, currency, cached, summed in rows
    ]


async def unbalanced_currencies(session: AsyncSession) -> dict[str, int]:
    """Currencies whose postings do not sum to zero, with their sums."""
    total = func.sum(Posting.amount)
    rows = await session.execute(
        select(Posting.currency, total).group_by(Posting.currency).having(total != 0)
    )
    return {currency: int(amount) for currency, amount in rows}


async def verify_ledger(session: AsyncSession) -> LedgerReport:
    checked, broken = await verify_chain(session)
    return LedgerReport(
        checked_transactions=checked,
        broken_link=broken,
        balance_mismatches=await verify_balances(session),
        unbalanced_currencies=await unbalanced_currencies(session),
    )
