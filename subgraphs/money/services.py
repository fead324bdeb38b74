"""money's wallet operations on the ledger. Functions take the session, never commit, never
import Strawberry. Every movement is a journal transaction (`ledger.py`); every mutation that
moves money accepts an idempotency key (`idempotency.py`). Withdrawals are payouts through the
payments provider: `subgraphs.money.payouts`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.kernel.access import ADMIN, is_staff, require_owner_or_staff
from subgraphs.kernel.context import Viewer
from subgraphs.kernel.currencies import validate_currency
from subgraphs.kernel.errors import Forbidden
from subgraphs.kernel.events import record_event
from subgraphs.kernel.scalars import LONG_MAX
from subgraphs.kernel.validation import optional_text, parse_id
from subgraphs.money.errors import (
    CurrencyMismatch,
    InvalidAmount,
    SameWallet,
    WalletAlreadyInStatus,
    WalletAlreadyOpen,
    WalletNotActive,
)
from subgraphs.money.fraud.models import MovementKind
from subgraphs.money.fraud.wallets import Screening, screen_wallet_movement
from subgraphs.money.idempotency import run_idempotently
from subgraphs.money.ledger import (
    FUNDING,
    WALLET_KIND,
    Entry,
    lock_wallets,
    post_journal_transaction,
    system_account,
)
from subgraphs.money.models import Account, Posting, Wallet, WalletStatus

MAX_DESCRIPTION = 200
DEFAULT_DEPOSIT_DESCRIPTION = "Deposit"
DEFAULT_TRANSFER_DESCRIPTION = "Transfer"
PLATFORM_SCOPE = "platform"
"""The idempotency scope of trusted callers without a user (the seed, internal jobs)."""


async def list_wallets_by_owner_ids(
    session: AsyncSession, *, owner_ids: Sequence[str]
) -> Iterable[Wallet]:
    """Every wallet of each owner, oldest first within an owner."""
    return await session.scalars(
        select(Wallet)
        .where(Wallet.owner_id.in_(owner_ids))
        .order_by(Wallet.owner_id, Wallet.created_at, Wallet.id)
    )


async def open_wallet(
    session: AsyncSession, *, owner_id: str, currency: str, wallet_id: str | None = None
) -> Wallet:
    """An empty ACTIVE wallet (and its ledger account, same id, minimum balance 0); CONFLICT
    when the owner already has one in `currency`."""
    owner_id = parse_id(owner_id, field="ownerId")
    currency = validate_currency(currency)
    existing = await session.scalar(
        select(Wallet.id).where(Wallet.owner_id == owner_id, Wallet.currency == currency)
    )
    if existing is not None:
        raise WalletAlreadyOpen(owner_id, currency)
    account = Account(currency=currency, kind=WALLET_KIND, balance=0, minimum_balance=0)
    if wallet_id is not None:
        account.id = wallet_id
    wallet = Wallet(owner_id=owner_id, currency=currency, status=WalletStatus.ACTIVE)
    wallet.account = account
    session.add_all([account, wallet])
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


def positive_amount(amount: int) -> int:
    """`amount` if it is a positive 64-bit number of minor units, else BAD_USER_INPUT."""
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise InvalidAmount("it must be a positive number of minor units")
    if amount > LONG_MAX:
        raise InvalidAmount("it must fit in 64 bits")
    return amount


def description_text(description: str | None, default: str) -> str:
    """A movement's description: at most 200 characters, `default` when omitted."""
    return optional_text(
        description, field="description", max_length=MAX_DESCRIPTION, default=default
    )


def _require_active(wallet: Wallet) -> None:
    if wallet.status is not WalletStatus.ACTIVE:
        raise WalletNotActive(wallet.id, wallet.status.value)


def _scope(actor: Viewer | None) -> str:
    return actor.require_user_id() if actor is not None else PLATFORM_SCOPE


async def _idempotent_posting(
    session: AsyncSession,
    *,
    actor: Viewer | None,
    idempotency_key: str | None,
    operation: str,
    request: dict[str, Any],
    move: Callable[[], Awaitable[Posting]],
) -> Posting:
    """Run `move()` (returning the posting the response shows) once per idempotency key."""

    async def execute() -> dict[str, Any]:
        posting = await move()
        return {"postingId": posting.id, "journalTransactionId": posting.journal_transaction_id}

    if idempotency_key is None:
        return await move()
    result = await run_idempotently(
        session,
        scope=_scope(actor),
        key=idempotency_key,
        operation=operation,
        request=request,
        execute=execute,
    )
    found = await session.get(Posting, result["postingId"])
    if found is None:  # the stored result names a posting of a committed transaction
        raise LookupError(f"posting {result['postingId']} of an idempotent result is missing")
    return found


async def deposit_to_wallet(
    session: AsyncSession,
    *,
    actor: Viewer | None,
    wallet_id: str,
    amount: int,
    description: str | None = None,
    transaction_id: str | None = None,
    idempotency_key: str | None = None,
) -> Posting:
    """Credit an ACTIVE wallet with `amount` minor units (> 0) of its currency, from the
    currency's `funding` system account. Returns the wallet's posting (its `Transaction`).
    `actor` must own the wallet or be an administrator (FORBIDDEN); None is a trusted caller
    (seeding). `transaction_id` fixes the posting's id (the seed's demo ids)."""
    if actor is not None:
        actor.require_user_id()
    amount = positive_amount(amount)
    text = description_text(description, DEFAULT_DEPOSIT_DESCRIPTION)
    wallet_id = parse_id(wallet_id, field="walletId")

    async def move() -> Posting:
        wallet = (await lock_wallets(session, [wallet_id]))[wallet_id]
        if actor is not None:
            require_owner_or_staff(actor, wallet.owner_id, what=f"wallet {wallet.id}")
        _require_active(wallet)
        funding = await system_account(session, wallet.currency, FUNDING)
        journal = await post_journal_transaction(
            session,
            kind="DEPOSIT",
            entries=[
                Entry(funding.id, -amount),
                Entry(wallet.id, amount, posting_id=transaction_id),
            ],
            memo=text,
            initiated_by=actor.user_id if actor is not None else None,
        )
        posting = journal.postings[1]
        record_event(
            session,
            "money.deposit.succeeded",
            {
                "walletId": wallet.id,
                "transactionId": posting.id,
                "journalTransactionId": journal.id,
                "amount": amount,
                "currency": wallet.currency,
                "balance": wallet.balance,
            },
            user_id=wallet.owner_id,
        )
        return posting

    return await _idempotent_posting(
        session,
        actor=actor,
        idempotency_key=idempotency_key,
        operation="depositToWallet",
        request={"walletId": wallet_id, "amount": amount, "description": text},
        move=move,
    )


async def transfer_between_wallets(
    session: AsyncSession,
    *,
    actor: Viewer | None,
    from_wallet_id: str,
    to_wallet_id: str,
    amount: int,
    description: str | None = None,
    idempotency_key: str | None = None,
    screening: Screening | None = None,
) -> Posting:
    """Move `amount` minor units from one ACTIVE wallet to another ACTIVE wallet of the same
    currency. `actor` must own the source wallet (or be an administrator); any wallet may
    receive. Both wallets are locked in id order, so concurrent transfers neither deadlock
    nor overdraw. Returns the source wallet's (negative) posting. Screened for fraud."""
    if actor is not None:
        actor.require_user_id()
    amount = positive_amount(amount)
    text = description_text(description, DEFAULT_TRANSFER_DESCRIPTION)
    source_id = parse_id(from_wallet_id, field="fromWalletId")
    destination_id = parse_id(to_wallet_id, field="toWalletId")
    if source_id == destination_id:
        raise SameWallet()

    async def move() -> Posting:
        wallets = await lock_wallets(session, [source_id, destination_id])
        source, destination = wallets[source_id], wallets[destination_id]
        if actor is not None:
            require_owner_or_staff(actor, source.owner_id, what=f"wallet {source.id}")
        if source.currency != destination.currency:
            raise CurrencyMismatch(source.currency, destination.currency)
        _require_active(source)
        _require_active(destination)
        await screen_wallet_movement(
            session,
            kind=MovementKind.TRANSFER,
            actor=actor,
            wallet=source,
            amount=amount,
            request={"fromWalletId": source.id, "toWalletId": destination.id, "description": text},
            idempotency_key=idempotency_key,
            screening=screening,
        )
        journal = await post_journal_transaction(
            session,
            kind="TRANSFER",
            entries=[Entry(source.id, -amount), Entry(destination.id, amount)],
            memo=text,
            initiated_by=actor.user_id if actor is not None else None,
        )
        debit, credit = journal.postings
        payload = {
            "journalTransactionId": journal.id,
            "fromWalletId": source.id,
            "toWalletId": destination.id,
            "amount": amount,
            "currency": source.currency,
        }
        record_event(
            session,
            "money.transfer.succeeded",
            {**payload, "transactionId": debit.id, "balance": source.balance},
            user_id=source.owner_id,
        )
        record_event(
            session,
            "money.transfer.received",
            {**payload, "transactionId": credit.id, "balance": destination.balance},
            user_id=destination.owner_id,
        )
        return debit

    return await _idempotent_posting(
        session,
        actor=actor,
        idempotency_key=idempotency_key,
        operation="transferBetweenWallets",
        request={
            "fromWalletId": source_id,
            "toWalletId": destination_id,
            "amount": amount,
            "description": text,
        },
        move=move,
    )


async def set_wallet_status(
    session: AsyncSession, *, actor: Viewer, wallet_id: str, status: WalletStatus
) -> Wallet:
    """Freeze (FROZEN) or unfreeze (ACTIVE) a wallet: administrators only. A frozen wallet
    neither sends nor receives money. Takes the wallet's account lock, so no movement of the
    wallet is half-way while its status changes."""
    actor.require_user_id()
    if not is_staff(actor, ADMIN):
        raise Forbidden("Only administrators may freeze or unfreeze wallets.")
    wallet_id = parse_id(wallet_id, field="walletId")
    wallet = (await lock_wallets(session, [wallet_id]))[wallet_id]
    if wallet.status is WalletStatus.CLOSED:
        raise WalletNotActive(wallet.id, wallet.status.value)
    if wallet.status is status:
        raise WalletAlreadyInStatus(wallet.id, status.value)
    wallet.status = status
    await session.flush()
    verb = "frozen" if status is WalletStatus.FROZEN else "unfrozen"
    record_event(
        session,
        f"money.wallet.{verb}",
        {"walletId": wallet.id, "currency": wallet.currency, "by": actor.user_id},
        user_id=wallet.owner_id,
    )
    return wallet
