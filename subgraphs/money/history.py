"""A wallet's history: its postings, filtered and paginated, and CSV statements.

A wallet's `Transaction`s are the postings on its account, newest first. Filters: journal
kinds, direction (CREDIT adds to the balance, DEBIT takes from it) and a half-open date range
`[since, until)`.
"""

from __future__ import annotations

import csv
import enum
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.kernel.currencies import MINOR_UNIT_DIGITS
from subgraphs.kernel.errors import BadUserInput
from subgraphs.kernel.pagination import Page, paginate_by_parent
from subgraphs.money.chain import canonical_timestamp
from subgraphs.money.models import JournalTransaction, Posting, Wallet

MAX_STATEMENT_ROWS = 10_000
CSV_HEADER = (
    "date",
    "transaction_id",
    "sequence",
    "kind",
    "direction",
    "amount_minor",
    "amount",
    "currency",
    "balance_after_minor",
    "description",
)


class Direction(enum.Enum):
    CREDIT = "CREDIT"
    DEBIT = "DEBIT"


@dataclass(frozen=True, slots=True)
class HistoryFilter:
    """Which postings of a wallet to list (hashable: it is part of a DataLoader key)."""

    kinds: tuple[str, ...] | None = None
    direction: Direction | None = None
    since: datetime | None = None
    until: datetime | None = None

    def conditions(self) -> list[ColumnElement[bool]]:
        found: list[ColumnElement[bool]] = []
        if self.kinds is not None:
            found.append(
                Posting.journal_transaction_id.in_(
                    select(JournalTransaction.id).where(JournalTransaction.kind.in_(self.kinds))
                )
            )
        if self.direction is Direction.CREDIT:
            found.append(Posting.amount > 0)
        elif self.direction is Direction.DEBIT:
            found.append(Posting.amount < 0)
        if self.since is not None:
            found.append(Posting.created_at >= self.since)
        if self.until is not None:
            found.append(Posting.created_at < self.until)
        return found


def check_range(since: datetime | None, until: datetime | None) -> None:
    if since is not None and until is not None and since >= until:
        raise BadUserInput("`since` must be before `until`.", field="since")


async def list_postings_of_wallets(
    session: AsyncSession,
    *,
    wallet_ids: Sequence[str],
    first: int | None,
    after: str | None,
    history_filter: HistoryFilter | None = None,
) -> dict[str, Page[Posting]]:
    """Each wallet's postings, newest first, one SELECT for all wallets."""
    return await paginate_by_parent(
        session,
        Posting,
        parent_column=Posting.account_id,
        parent_ids=wallet_ids,
        first=first,
        after=after,
        descending=True,
        extra_filters=history_filter.conditions() if history_filter else (),
    )


async def derived_balance(
    session: AsyncSession, *, account_id: str, before: datetime | None = None
) -> int:
    """The account's balance summed from its postings (strictly before `before` if given)."""
    statement = select(func.coalesce(func.sum(Posting.amount), 0)).where(
        Posting.account_id == account_id
    )
    if before is not None:
        statement = statement.where(Posting.created_at < before)
    return int(await session.scalar(statement) or 0)


def format_minor_units(amount: int, currency: str) -> str:
    """`-12345` EUR -> `-123.45` (integer arithmetic only)."""
    digits = MINOR_UNIT_DIGITS.get(currency, 2)
    sign = "-" if amount < 0 else ""
    whole, fraction = divmod(abs(amount), 10**digits)
    return f"{sign}{whole}.{fraction:0{digits}d}" if digits else f"{sign}{whole}"


def _cell(text: str) -> str:
    """Neutralise spreadsheet formulas in free text (CSV injection)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@dataclass(frozen=True, slots=True)
class Statement:
    wallet: Wallet
    since: datetime | None
    until: datetime | None
    opening_balance: int
    closing_balance: int
    rows: int
    csv: str


async def wallet_statement(
    session: AsyncSession,
    *,
    wallet: Wallet,
    since: datetime | None,
    until: datetime | None,
) -> Statement:
    """The wallet's postings in `[since, until)`, oldest first, as CSV (RFC 4180, header row,
    CRLF line ends) with the running balance after each row. BAD_USER_INPUT past 10,000 rows."""
    check_range(since, until)
    conditions = HistoryFilter(since=since, until=until).conditions()
    statement = (
        select(Posting)
        .where(Posting.account_id == wallet.id, *conditions)
        .order_by(Posting.created_at, Posting.id)
        .limit(MAX_STATEMENT_ROWS + 1)
    )
    postings = list(await session.scalars(statement))
    if len(postings) > MAX_STATEMENT_ROWS:
        raise BadUserInput(
            f"A statement holds at most {MAX_STATEMENT_ROWS} rows; narrow `since`/`until`.",
            field="since",
        )
    opening = (
        0 if since is None else await derived_balance(session, account_id=wallet.id, before=since)
    )
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    balance = opening
    for posting in postings:
        balance += posting.amount
        journal = posting.journal_transaction
        writer.writerow(
            (
                canonical_timestamp(posting.created_at),
                posting.id,
                journal.sequence,
                journal.kind,
                (Direction.CREDIT if posting.amount > 0 else Direction.DEBIT).value,
                posting.amount,
                format_minor_units(posting.amount, posting.currency),
                posting.currency,
                balance,
                _cell(journal.memo),
            )
        )
    return Statement(
        wallet=wallet,
        since=since,
        until=until,
        opening_balance=opening,
        closing_balance=balance,
        rows=len(postings),
        csv=buffer.getvalue(),
    )
