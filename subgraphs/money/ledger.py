"""The ledger's public API: accounts, locks and hash-chained journal transactions.

Every movement of money in the money subgraph (wallets, payments, trusty wallets, refunds)
goes through `post_journal_transaction`. Typical use, inside a request's unit of work:

    accounts = await lock_accounts(session, [wallet.id, settlement.id])   # one call, all ids
    journal = await post_journal_transaction(
        session,
        kind="WITHDRAWAL",
        entries=[Entry(wallet.id, -500), Entry(settlement.id, 500)],
        memo="Withdrawal",
        initiated_by=user_id,
    )

Rules (docs/money.md, "Ledger API"):
- Amounts are signed integer minor units: positive adds to an account's balance, negative takes
  from it. The entries of one journal transaction sum to zero per currency (each entry's
  currency is its account's); anything else is `UnbalancedJournal`, a programming error.
- An entry may not take an account below its `minimum_balance` (`InsufficientFunds`, CONFLICT);
  system accounts (minimum NULL) may go negative, which is how money enters and leaves.
- Locks: `post_journal_transaction` locks its bounded accounts (those with a minimum: wallets,
  vaults...) itself, in id order, then moves unbounded (system) accounts with atomic
  `balance = balance + x` updates, then locks the ledger head, last. When you must read state
  before posting (a wallet's status, a balance), lock every bounded account you will post to in
  ONE `lock_accounts`/`lock_wallets` call first, so locks are always taken in the same order (no
  deadlocks). Never lock a system account yourself: it is shared by every movement of its
  currency and locking it before a wallet could deadlock with another request.
- Nothing here commits or records events: the caller's unit of work does, so the postings,
  the cached balances, the chain head and the events commit together or not at all.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from subgraphs.kernel.currencies import validate_currency
from subgraphs.kernel.db import new_id, utcnow
from subgraphs.kernel.scalars import LONG_MAX, LONG_MIN
from subgraphs.money._sql import dialect_name, insert_unless_present
from subgraphs.money.chain import ChainedPosting, canonical_content, chain_hash
from subgraphs.money.errors import (
    BalanceLimitExceeded,
    InsufficientFunds,
    UnbalancedJournal,
    WalletNotFound,
)
from subgraphs.money.models import (
    GENESIS_HASH,
    Account,
    JournalTransaction,
    LedgerHead,
    Posting,
    Wallet,
)

__all__ = [
    "SYSTEM_KIND",
    "WALLET_KIND",
    "Entry",
    "lock_accounts",
    "lock_wallets",
    "open_account",
    "post_journal_transaction",
    "system_account",
]

WALLET_KIND = "wallet"
SYSTEM_KIND = "system"
HEAD_ID = 1

# System account purposes of the wallet operations (features add their own).
FUNDING = "funding"  # deposits come from here
SETTLEMENT = "settlement"  # paid-out payouts end here (subgraphs/money/payouts)
FEES = "fees"

_KIND = re.compile(r"^[A-Z][A-Z0-9_]{0,31}$")
_PURPOSE = re.compile(r"^[a-z][a-z0-9_.]{0,63}$")
MAX_MEMO = 200
MAX_REFERENCE = 100


@dataclass(frozen=True, slots=True)
class Entry:
    """One line of a journal transaction: `amount` signed minor units for `account_id`.

    `posting_id` fixes the posting's id (the seed's deterministic ids); None: a fresh uuid."""

    account_id: str
    amount: int
    posting_id: str | None = None


async def open_account(
    session: AsyncSession,
    *,
    currency: str,
    kind: str,
    minimum_balance: int | None = 0,
    account_id: str | None = None,
) -> Account:
    """A new empty account (flushed). `kind` names its owner type ("wallet", "trusty.vault",
    ...); `minimum_balance` None lets it go negative (only for the platform's own accounts)."""
    account = Account(
        id=account_id or new_id(),
        currency=validate_currency(currency),
        kind=kind,
        purpose=None,
        balance=0,
        minimum_balance=minimum_balance,
        created_at=utcnow(),
    )
    session.add(account)
    await session.flush()
    return account


async def system_account(session: AsyncSession, currency: str, purpose: str) -> Account:
    """The platform's account for `purpose` in `currency`, created on first use (safe when two
    requests create it at once). Unbounded: its balance is the negative of what it gave out."""
    currency = validate_currency(currency)
    if not _PURPOSE.match(purpose):
        raise ValueError(f"system account purpose {purpose!r} must match {_PURPOSE.pattern}")
    found = await _system_account(session, currency, purpose)
    if found is not None:
        return found
    await insert_unless_present(
        session,
        Account.__table__,  # type: ignore[arg-type]
        {
            "id": new_id(),
            "currency": currency,
            "kind": SYSTEM_KIND,
            "purpose": purpose,
            "balance": 0,
            "minimum_balance": None,
            "created_at": utcnow(),
        },
        unique_columns=("currency", "purpose"),
    )
    created = await _system_account(session, currency, purpose)
    if created is None:  # the insert or a concurrent one's row must be there
        raise LookupError(f"system account {purpose} {currency} vanished")
    return created


async def _system_account(session: AsyncSession, currency: str, purpose: str) -> Account | None:
    found: Account | None = await session.scalar(
        select(Account).where(Account.currency == currency, Account.purpose == purpose)
    )
    return found


async def lock_accounts(session: AsyncSession, account_ids: Iterable[str]) -> dict[str, Account]:
    """Lock the accounts until the transaction ends, always in id order, and return them freshly
    read (missing ids are simply absent). PostgreSQL: SELECT ... ORDER BY id FOR UPDATE.
    SQLite has no row locks: a no-op UPDATE takes the database's write lock first, so nothing
    else commits between this read and the caller's writes."""
    ids = sorted(set(account_ids))
    if not ids:
        return {}
    if dialect_name(session) == "sqlite":
        await session.execute(
            update(Account)
            .where(Account.id.in_(ids))
            .values(balance=Account.balance)
            .execution_options(synchronize_session=False)
        )
    rows = await session.scalars(
        select(Account)
        .where(Account.id.in_(ids))
        .order_by(Account.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return {account.id: account for account in rows}


async def lock_wallets(session: AsyncSession, wallet_ids: Iterable[str]) -> dict[str, Wallet]:
    """Lock the wallets' accounts (`lock_accounts`) and return the wallets freshly read;
    NOT_FOUND for an id that is no wallet. A wallet's account lock guards its status too."""
    ids = sorted(set(wallet_ids))
    await lock_accounts(session, ids)
    wallets = {
        wallet.id: wallet
        for wallet in await session.scalars(
            select(Wallet).where(Wallet.id.in_(ids)).execution_options(populate_existing=True)
        )
    }
    for wallet_id in ids:
        if wallet_id not in wallets:
            raise WalletNotFound(wallet_id)
    return wallets


def _check_entries(entries: Sequence[Entry], accounts: dict[str, Account]) -> None:
    if len(entries) < 2:
        raise UnbalancedJournal("a journal transaction needs at least two entries")
    if len({entry.account_id for entry in entries}) != len(entries):
        raise UnbalancedJournal("each account may appear once per journal transaction")
    totals: dict[str, int] = {}
    for entry in entries:
        if isinstance(entry.amount, bool) or not isinstance(entry.amount, int):
            raise UnbalancedJournal(f"amount {entry.amount!r} is not an integer")
        if entry.amount == 0 or not LONG_MIN <= entry.amount <= LONG_MAX:
            raise UnbalancedJournal(f"amount {entry.amount} must be non-zero and 64-bit")
        account = accounts.get(entry.account_id)
        if account is None:
            raise UnbalancedJournal(f"account {entry.account_id} does not exist")
        totals[account.currency] = totals.get(account.currency, 0) + entry.amount
    unbalanced = {currency: total for currency, total in totals.items() if total != 0}
    if unbalanced:
        raise UnbalancedJournal(f"entries do not sum to zero per currency: {unbalanced}")


def _apply_bounded(entries: Sequence[Entry], accounts: dict[str, Account]) -> None:
    """Move the cached balances of locked accounts, refusing to leave one below its minimum."""
    for entry in entries:
        account = accounts[entry.account_id]
        new_balance = account.balance + entry.amount
        if not LONG_MIN <= new_balance <= LONG_MAX:
            raise BalanceLimitExceeded(account.id)
        if entry.amount < 0 and new_balance < (account.minimum_balance or 0):
            raise InsufficientFunds(
                account.id,
                account.balance,
                -entry.amount,
                account.currency,
                what="Wallet" if account.kind == WALLET_KIND else "Account",
            )
    for entry in entries:
        accounts[entry.account_id].balance += entry.amount


async def _apply_unbounded(
    session: AsyncSession, entries: Sequence[Entry], accounts: dict[str, Account]
) -> None:
    """Move unbounded (system) accounts' balances with one atomic `balance = balance + x` each,
    never locking them up front: they are shared by every movement of their currency, and
    nothing needs to read them first. In id order, like every lock."""
    for entry in sorted(entries, key=lambda entry: entry.account_id):
        new_balance = await session.scalar(
            update(Account)
            .where(Account.id == entry.account_id)
            .values(balance=Account.balance + entry.amount)
            .returning(Account.balance)
            .execution_options(synchronize_session=False)
        )
        if new_balance is None or not LONG_MIN <= new_balance <= LONG_MAX:
            raise BalanceLimitExceeded(entry.account_id)
        set_committed_value(accounts[entry.account_id], "balance", int(new_balance))


async def _advance_head(session: AsyncSession) -> tuple[int, str]:
    """Take the next sequence number and the previous hash, locking the head row until the
    transaction ends (every append waits here, so the chain never forks)."""
    advance = (
        update(LedgerHead)
        .where(LedgerHead.id == HEAD_ID)
        .values(sequence=LedgerHead.sequence + 1)
        .returning(LedgerHead.sequence, LedgerHead.hash)
        .execution_options(synchronize_session=False)
    )
    row = (await session.execute(advance)).first()
    if row is None:  # a database made without the migration's head row
        await insert_unless_present(
            session,
            LedgerHead.__table__,  # type: ignore[arg-type]
            {"id": HEAD_ID, "sequence": 0, "hash": GENESIS_HASH},
            unique_columns=("id",),
        )
        row = (await session.execute(advance)).one()
    return int(row[0]), str(row[1])


async def post_journal_transaction(
    session: AsyncSession,
    *,
    kind: str,
    entries: Sequence[Entry],
    memo: str,
    reference: str | None = None,
    initiated_by: str | None = None,
    created_at: datetime | None = None,
) -> JournalTransaction:
    """Append one balanced journal transaction to the chain, update the cached balances of its
    accounts, and return it (flushed; `.postings` in entry order).

    `kind` is UPPER_SNAKE (DEPOSIT, WITHDRAWAL, TRANSFER, PAYMENT_CAPTURE, ...); `memo` at most
    200 characters; `reference` (at most 100) ties it to a feature's record, e.g. a payment id.
    Raises `InsufficientFunds`/`BalanceLimitExceeded` (CONFLICT) when an account would leave its
    bounds; `UnbalancedJournal`/`ValueError` for malformed calls (programming errors)."""
    if not _KIND.match(kind):
        raise ValueError(f"journal kind {kind!r} must match {_KIND.pattern}")
    if len(memo) > MAX_MEMO or (reference is not None and len(reference) > MAX_REFERENCE):
        raise ValueError("memo is at most 200 characters and reference at most 100")
    found = await session.scalars(
        select(Account).where(Account.id.in_([entry.account_id for entry in entries]))
    )
    accounts = {account.id: account for account in found}
    _check_entries(entries, accounts)  # currencies and bounds never change: no lock needed
    bounded = [e for e in entries if accounts[e.account_id].minimum_balance is not None]
    unbounded = [e for e in entries if accounts[e.account_id].minimum_balance is None]
    accounts |= await lock_accounts(session, [entry.account_id for entry in bounded])
    _apply_bounded(bounded, accounts)
    await _apply_unbounded(session, unbounded, accounts)
    sequence, previous_hash = await _advance_head(session)
    moment = created_at or utcnow()
    journal = JournalTransaction(
        id=new_id(),
        sequence=sequence,
        kind=kind,
        memo=memo,
        reference=reference,
        initiated_by=initiated_by,
        created_at=moment,
        previous_hash=previous_hash,
    )
    postings = [
        Posting(
            id=entry.posting_id or new_id(),
            journal_transaction=journal,
            position=position,
            account_id=entry.account_id,
            amount=entry.amount,
            currency=accounts[entry.account_id].currency,
            created_at=moment,
        )
        for position, entry in enumerate(entries)
    ]
    journal.hash = chain_hash(
        canonical_content(
            transaction_id=journal.id,
            sequence=sequence,
            kind=kind,
            memo=memo,
            reference=reference,
            created_at=moment,
            previous_hash=previous_hash,
            postings=[ChainedPosting(p.account_id, p.amount, p.currency) for p in postings],
        )
    )
    session.add(journal)
    session.add_all(postings)
    await session.execute(
        update(LedgerHead)
        .where(LedgerHead.id == HEAD_ID)
        .values(hash=journal.hash)
        .execution_options(synchronize_session=False)
    )
    await session.flush()
    return journal
