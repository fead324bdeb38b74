"""money's business logic. Functions take the session, never commit, never import Strawberry."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.kernel.access import require_owner_or_staff
from subgraphs.kernel.context import Viewer
from subgraphs.kernel.currencies import validate_currency
from subgraphs.kernel.events import record_event
from subgraphs.kernel.pagination import Page, paginate_by_parent
from subgraphs.kernel.scalars import LONG_MAX
from subgraphs.kernel.validation import optional_text, parse_id
from subgraphs.money.errors import (
    BalanceLimitExceeded,
    InvalidAmount,
    WalletAlreadyOpen,
    WalletNotActive,
    WalletNotFound,
)
from subgraphs.money.models import Transaction, TransactionKind, Wallet, WalletStatus

MAX_DESCRIPTION = 200
DEFAULT_DEPOSIT_DESCRIPTION = "Deposit"


async def list_wallets_by_owner_ids(
    session: AsyncSession, *, owner_ids: Sequence[str]
) -> Iterable[Wallet]:
    """Every wallet of each owner, oldest first within an owner."""
    return await session.scalars(
        select(Wallet)
        .where(Wallet.owner_id.in_(owner_ids))
        .order_by(Wallet.owner_id, Wallet.created_at, Wallet.id)
    )


async def list_transactions_of_wallets(
    session: AsyncSession, *, wallet_ids: Sequence[str], first: int | None, after: str | None
) -> dict[str, Page[Transaction]]:
    """Each wallet's transactions, newest first, one SELECT for all wallets."""
    return await paginate_by_parent(
        session,
        Transaction,
        parent_column=Transaction.wallet_id,
        parent_ids=wallet_ids,
        first=first,
        after=after,
        descending=True,
    )


async def sum_of_transactions(session: AsyncSession, *, wallet_id: str) -> int:
    """The balance recomputed from the ledger rows (the cached `Wallet.balance` must equal it)."""
    rows = await session.execute(
        select(Transaction.kind, func.coalesce(func.sum(Transaction.amount), 0))
        .where(Transaction.wallet_id == wallet_id)
        .group_by(Transaction.kind)
    )
    return sum(kind.sign * int(total) for kind, total in rows)


async def open_wallet(
    session: AsyncSession, *, owner_id: str, currency: str, wallet_id: str | None = None
) -> Wallet:
    """An empty ACTIVE wallet; CONFLICT when the owner already has one in `currency`."""
    owner_id = parse_id(owner_id, field="ownerId")
    currency = validate_currency(currency)
    existing = await session.scalar(
        select(Wallet.id).where(Wallet.owner_id == owner_id, Wallet.currency == currency)
    )
    if existing is not None:
        raise WalletAlreadyOpen(owner_id, currency)
    wallet = Wallet(owner_id=owner_id, currency=currency, balance=0, status=WalletStatus.ACTIVE)
    if wallet_id is not None:
        wallet.id = wallet_id
    session.add(wallet)
    try:
        await session.flush()
    except IntegrityError as exc:  # a concurrent open won the race
        raise WalletAlreadyOpen(owner_id, currency) from exc
    record_event(
        session,
        "money.wallet.opened",
        {"walletId": wallet.id, "currency": currency},
        user_id=owner_id,
    )
    return wallet


async def _wallet_for_update(session: AsyncSession, *, wallet_id: str) -> Wallet:
    """The wallet row, locked until the request's transaction ends (PostgreSQL); NOT_FOUND."""
    wallet = await session.scalar(select(Wallet).where(Wallet.id == wallet_id).with_for_update())
    if wallet is None:
        raise WalletNotFound(wallet_id)
    return wallet


async def _record(
    session: AsyncSession,
    wallet: Wallet,
    *,
    kind: TransactionKind,
    amount: int,
    description: str,
    transaction_id: str | None,
) -> Transaction:
    """Append one ledger row and move the cached balance by it, in the same transaction."""
    new_balance = wallet.balance + kind.sign * amount
    if new_balance > LONG_MAX:
        raise BalanceLimitExceeded(wallet.id)
    transaction = Transaction(
        wallet_id=wallet.id,
        kind=kind,
        amount=amount,
        currency=wallet.currency,
        description=description,
    )
    if transaction_id is not None:
        transaction.id = transaction_id
    wallet.balance = new_balance
    session.add(transaction)
    await session.flush()
    return transaction


async def deposit_to_wallet(
    session: AsyncSession,
    *,
    actor: Viewer | None,
    wallet_id: str,
    amount: int,
    description: str | None = None,
    transaction_id: str | None = None,
) -> Transaction:
    """Credit an ACTIVE wallet with `amount` minor units (> 0) of its currency. `actor` must own
    the wallet or be an administrator (FORBIDDEN); None is a trusted caller (seeding)."""
    if actor is not None:
        actor.require_user_id()
    if amount <= 0:
        raise InvalidAmount("it must be a positive number of minor units")
    text = optional_text(
        description,
        field="description",
        max_length=MAX_DESCRIPTION,
        default=DEFAULT_DEPOSIT_DESCRIPTION,
    )
    wallet = await _wallet_for_update(session, wallet_id=parse_id(wallet_id, field="walletId"))
    if actor is not None:
        require_owner_or_staff(actor, wallet.owner_id, what=f"wallet {wallet.id}")
    if wallet.status is not WalletStatus.ACTIVE:
        raise WalletNotActive(wallet.id, wallet.status.value)
    transaction = await _record(
        session,
        wallet,
        kind=TransactionKind.DEPOSIT,
        amount=amount,
        description=text,
        transaction_id=transaction_id,
    )
    record_event(
        session,
        "money.deposit.succeeded",
        {
            "walletId": wallet.id,
            "transactionId": transaction.id,
            "amount": amount,
            "currency": wallet.currency,
            "balance": wallet.balance,
        },
        user_id=wallet.owner_id,
    )
    return transaction
