"""money's GraphQL types. `Wallet` and `Transaction` are owned here and resolved by reference
through loaders; `User` (owned by identity) is extended with `wallets`.

A `Transaction` is one posting on a wallet's ledger account; its `journalTransaction` is the
balanced, hash-chained movement it is part of.

Access (issue 4): wallets and transactions are their owner's. Both types are `@authenticated`,
and every way in (`Query.wallet`, `Query.transaction`, `User.wallets`, entity references) checks
ownership here too, so a direct call that bypasses the router is refused the same way:
anonymous is UNAUTHENTICATED, another user's wallet is FORBIDDEN (wallet ids are random UUIDs;
saying "not yours" reveals nothing a caller could not guess), administrators see every wallet."""

from __future__ import annotations

from datetime import datetime

import strawberry
from sqlalchemy import select
from strawberry.types import Info

from subgraphs.kernel.access import ADMIN, is_staff, require_owner_or_staff
from subgraphs.kernel.context import SubgraphContext, Viewer
from subgraphs.kernel.errors import Forbidden
from subgraphs.kernel.loaders import PageKey
from subgraphs.kernel.pagination import Connection
from subgraphs.kernel.scalars import Long, Money
from subgraphs.money import history, models, verification
from subgraphs.money.loaders import (
    transaction_by_id,
    transactions_page_by_wallet_id,
    wallet_by_id,
    wallets_by_owner_id,
)

# The domain enums are the GraphQL enums; registering them keeps one definition.
strawberry.enum(
    models.WalletStatus,
    name="WalletStatus",
    description="Whether a wallet moves money: FROZEN wallets neither send nor receive.",
)
strawberry.enum(
    history.Direction,
    name="PostingDirection",
    description="CREDIT adds to the wallet's balance, DEBIT takes from it.",
)


def check_wallet(viewer: Viewer, wallet: models.Wallet) -> None:
    """UNAUTHENTICATED when anonymous, FORBIDDEN unless the viewer owns `wallet` or is admin."""
    require_owner_or_staff(viewer, wallet.owner_id, what=f"wallet {wallet.id}")


@strawberry.input(description="Which of a wallet's transactions to list (all when omitted).")
class TransactionFilter:
    kinds: list[str] | None = strawberry.field(
        default=None,
        description="Journal kinds to keep, e.g. DEPOSIT, WITHDRAWAL, TRANSFER.",
    )
    direction: history.Direction | None = None
    since: datetime | None = strawberry.field(default=None, description="Inclusive.")
    until: datetime | None = strawberry.field(default=None, description="Exclusive.")

    def to_filter(self) -> history.HistoryFilter:
        history.check_range(self.since, self.until)
        return history.HistoryFilter(
            kinds=tuple(sorted(set(self.kinds))) if self.kinds is not None else None,
            direction=self.direction,
            since=self.since,
            until=self.until,
        )


@strawberry.federation.type(keys=["id"])
class User:
    id: strawberry.ID

    @strawberry.federation.field(
        authenticated=True,
        description=(
            "The user's wallets, oldest first (at most one per currency). Only the user "
            "themself and administrators: anyone else gets null and FORBIDDEN."
        ),
    )
    async def wallets(self, info: Info[SubgraphContext, None]) -> list[Wallet] | None:
        require_owner_or_staff(info.context.viewer, str(self.id), what="this user's wallets")
        rows = await info.context.loaders.get(wallets_by_owner_id).load(str(self.id))
        return [Wallet.from_model(row) for row in rows]


@strawberry.type(description="A wallet's postings over a period as CSV, with its balances.")
class WalletStatement:
    since: datetime | None
    until: datetime | None
    opening_balance: Money = strawberry.field(description="The balance before `since`.")
    closing_balance: Money = strawberry.field(description="The balance after the last row.")
    rows: int
    csv: str = strawberry.field(
        description=(
            "RFC 4180 CSV, CRLF line ends, a header row: date, transaction_id, sequence, kind, "
            "direction, amount_minor, amount, currency, balance_after_minor, description."
        )
    )

    @classmethod
    def from_statement(cls, statement: history.Statement) -> WalletStatement:
        currency = statement.wallet.currency
        return cls(
            since=statement.since,
            until=statement.until,
            opening_balance=Money.of(statement.opening_balance, currency),
            closing_balance=Money.of(statement.closing_balance, currency),
            rows=statement.rows,
            csv=statement.csv,
        )


@strawberry.federation.type(
    keys=["id"],
    authenticated=True,
    description=(
        "A user's balance in one currency. Only its owner and administrators see it "
        "(anyone else: FORBIDDEN)."
    ),
)
class Wallet:
    id: strawberry.ID
    currency: str = strawberry.field(description="ISO 4217 code of everything in this wallet.")
    balance: Money = strawberry.field(
        description="The sum of the wallet's postings (kept in step with every posting)."
    )
    status: models.WalletStatus
    created_at: datetime
    owner_id: strawberry.Private[str]

    @strawberry.field(description="Who owns the wallet.")
    def owner(self) -> User:
        return User(id=strawberry.ID(self.owner_id))

    @strawberry.field(description="The wallet's transactions, newest first.")
    async def transactions(
        self,
        info: Info[SubgraphContext, None],
        first: int | None = None,
        after: str | None = None,
        filter: TransactionFilter | None = None,
    ) -> Connection[Transaction]:
        scope = filter.to_filter() if filter is not None else None
        key = PageKey(parent_id=str(self.id), first=first, after=after, scope=scope)
        page = await info.context.loaders.get(transactions_page_by_wallet_id).load(key)
        return Connection.from_page(page, Transaction.from_model)

    @strawberry.field(
        description=(
            "The wallet's postings in [since, until) as CSV, oldest first, with the running "
            "balance (at most 10,000 rows: BAD_USER_INPUT beyond, narrow the period)."
        )
    )
    async def statement(
        self,
        info: Info[SubgraphContext, None],
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> WalletStatement:
        wallet = await info.context.loaders.get(wallet_by_id).load(str(self.id))
        if wallet is None:  # resolved from a row moments ago
            raise LookupError(f"wallet {self.id} is missing")
        check_wallet(info.context.viewer, wallet)
        found = await history.wallet_statement(
            info.context.session, wallet=wallet, since=since, until=until
        )
        return WalletStatement.from_statement(found)

    @classmethod
    def from_model(cls, wallet: models.Wallet) -> Wallet:
        return cls(
            id=strawberry.ID(wallet.id),
            currency=wallet.currency,
            balance=Money.of(wallet.balance, wallet.currency),
            status=wallet.status,
            created_at=wallet.created_at,
            owner_id=wallet.owner_id,
        )

    @classmethod
    async def resolve_reference(
        cls, info: Info[SubgraphContext, None], id: strawberry.ID
    ) -> Wallet | None:
        wallet = await info.context.loaders.get(wallet_by_id).load(str(id))
        if wallet is None:
            return None
        check_wallet(info.context.viewer, wallet)
        return cls.from_model(wallet)


@strawberry.type(description="One line of a journal transaction (administrators only).")
class LedgerPosting:
    account_id: strawberry.ID
    amount: Money = strawberry.field(description="Signed: positive adds to the account.")


@strawberry.type(
    description=(
        "A balanced movement of money: postings summing to zero per currency, chained to the "
        "previous one by SHA-256 (docs/money.md)."
    )
)
class JournalTransaction:
    id: strawberry.ID
    sequence: Long = strawberry.field(description="Position in the ledger's chain, from 1.")
    kind: str = strawberry.field(description="DEPOSIT, WITHDRAWAL, TRANSFER, or a feature's.")
    memo: str
    reference: str | None
    created_at: datetime
    hash: str = strawberry.field(description="SHA-256 (hex) of the canonical content.")
    previous_hash: str
    model: strawberry.Private[models.JournalTransaction]

    @strawberry.field(description="The postings; administrators only (others: FORBIDDEN).")
    async def postings(self, info: Info[SubgraphContext, None]) -> list[LedgerPosting]:
        if not is_staff(info.context.viewer, ADMIN):
            raise Forbidden("Only administrators see every posting of a journal transaction.")
        return [
            LedgerPosting(
                account_id=strawberry.ID(row.account_id), amount=Money.of(row.amount, row.currency)
            )
            for row in await _postings_of(info, self.model)
        ]

    @classmethod
    def from_model(cls, journal: models.JournalTransaction) -> JournalTransaction:
        return cls(
            id=strawberry.ID(journal.id),
            sequence=Long(journal.sequence),
            kind=journal.kind,
            memo=journal.memo,
            reference=journal.reference,
            created_at=journal.created_at,
            hash=journal.hash,
            previous_hash=journal.previous_hash,
            model=journal,
        )


async def _postings_of(
    info: Info[SubgraphContext, None], journal: models.JournalTransaction
) -> list[models.Posting]:
    rows = await info.context.session.scalars(
        select(models.Posting)
        .where(models.Posting.journal_transaction_id == journal.id)
        .order_by(models.Posting.position)
    )
    return list(rows)


@strawberry.federation.type(
    keys=["id"],
    authenticated=True,
    description=(
        "One movement of money in a wallet (a posting on its account). Only the wallet's owner "
        "and administrators see it (anyone else: FORBIDDEN)."
    ),
)
class Transaction:
    id: strawberry.ID
    kind: str = strawberry.field(
        description="The journal transaction's kind: DEPOSIT, WITHDRAWAL, TRANSFER, ..."
    )
    direction: history.Direction
    amount: Money = strawberry.field(description="Always positive; `direction` gives the way.")
    signed_amount: Money = strawberry.field(description="Positive in, negative out.")
    description: str
    created_at: datetime
    wallet_id: strawberry.Private[str]
    journal: strawberry.Private[models.JournalTransaction]

    @strawberry.field(description="The wallet this transaction belongs to.")
    async def wallet(self, info: Info[SubgraphContext, None]) -> Wallet:
        wallet = await info.context.loaders.get(wallet_by_id).load(self.wallet_id)
        if wallet is None:  # the foreign key makes this impossible
            raise LookupError(f"wallet {self.wallet_id} of transaction {self.id} is missing")
        return Wallet.from_model(wallet)

    @strawberry.field(description="The balanced, hash-chained movement this is part of.")
    def journal_transaction(self) -> JournalTransaction:
        return JournalTransaction.from_model(self.journal)

    @classmethod
    def from_model(cls, posting: models.Posting) -> Transaction:
        journal = posting.journal_transaction
        return cls(
            id=strawberry.ID(posting.id),
            kind=journal.kind,
            direction=history.Direction.CREDIT if posting.amount > 0 else history.Direction.DEBIT,
            amount=Money.of(abs(posting.amount), posting.currency),
            signed_amount=Money.of(posting.amount, posting.currency),
            description=journal.memo,
            created_at=posting.created_at,
            wallet_id=posting.account_id,
            journal=journal,
        )

    @classmethod
    async def resolve_reference(
        cls, info: Info[SubgraphContext, None], id: strawberry.ID
    ) -> Transaction | None:
        posting = await info.context.loaders.get(transaction_by_id).load(str(id))
        if posting is None:
            return None
        await check_transaction(info, posting)
        return cls.from_model(posting)


async def check_transaction(info: Info[SubgraphContext, None], posting: models.Posting) -> None:
    """The checks of the transaction's wallet (its owner or an administrator). Administrators
    need no wallet lookup; for anyone else the wallets of N transactions cost one SELECT."""
    if is_staff(info.context.viewer, ADMIN):
        return
    wallet = await info.context.loaders.get(wallet_by_id).load(posting.account_id)
    if wallet is None:  # transaction_by_id only finds postings on wallets
        raise LookupError(f"wallet {posting.account_id} of transaction {posting.id} is missing")
    check_wallet(info.context.viewer, wallet)


@strawberry.type(description="Where the ledger's hash chain first breaks.")
class BrokenLedgerLink:
    sequence: Long
    journal_transaction_id: strawberry.ID | None
    reason: str = strawberry.field(
        description=(
            "SEQUENCE_GAP, HASH_MISMATCH, PREVIOUS_HASH_MISMATCH, UNBALANCED or HEAD_MISMATCH."
        )
    )
    expected: str
    stored: str


@strawberry.type(description="An account whose cached balance is not the sum of its postings.")
class BalanceMismatch:
    account_id: strawberry.ID
    cached: Money
    derived: Money


@strawberry.type(description="The outcome of recomputing the whole ledger.")
class LedgerVerification:
    ok: bool
    checked_transactions: int
    broken_link: BrokenLedgerLink | None
    balance_mismatches: list[BalanceMismatch]
    unbalanced_currencies: list[Money] = strawberry.field(
        description="Currencies whose postings do not sum to zero, with their sums."
    )

    @classmethod
    def from_report(cls, report: verification.LedgerReport) -> LedgerVerification:
        link = report.broken_link
        return cls(
            ok=report.ok,
            checked_transactions=report.checked_transactions,
            broken_link=None
            if link is None
            else BrokenLedgerLink(
                sequence=Long(link.sequence),
                journal_transaction_id=strawberry.ID(link.journal_transaction_id)
                if link.journal_transaction_id
                else None,
                reason=link.reason,
                expected=link.expected,
                stored=link.stored,
            ),
            balance_mismatches=[
                BalanceMismatch(
                    account_id=strawberry.ID(m.account_id),
                    cached=Money.of(m.cached, m.currency),
                    derived=Money.of(m.derived, m.currency),
                )
                for m in report.balance_mismatches
            ],
            unbalanced_currencies=[
                Money.of(total, currency)
                for currency, total in sorted(report.unbalanced_currencies.items())
            ],
        )
