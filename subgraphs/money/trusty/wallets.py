"""Signer keys and trusty wallets: registering keys, creating wallets, membership checks,
funding and balances. Functions take the session, never commit, never import Strawberry."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.kernel.access import ADMIN, is_staff
from subgraphs.kernel.context import Viewer
from subgraphs.kernel.currencies import validate_currency
from subgraphs.kernel.db import new_id, utcnow
from subgraphs.kernel.errors import Forbidden
from subgraphs.kernel.events import record_event
from subgraphs.kernel.validation import optional_text, parse_id, required_text
from subgraphs.money.errors import InvalidAmount, WalletNotActive, WalletNotFound
from subgraphs.money.ledger import Entry, lock_accounts, open_account, post_journal_transaction
from subgraphs.money.models import Account, JournalTransaction, Wallet, WalletStatus
from subgraphs.money.trusty.canonical import (
    InvalidKeyEncoding,
    normalise_public_key,
)
from subgraphs.money.trusty.errors import (
    InvalidFundingSource,
    InvalidPublicKey,
    InvalidSignerSet,
    InvalidThreshold,
    NotASigner,
    SignerKeyAlreadyRegistered,
    SignerKeyNotFound,
    TrustyWalletNotFound,
)
from subgraphs.money.trusty.models import (
    HOT_ACCOUNT_KIND,
    VAULT_ACCOUNT_KIND,
    SignerKey,
    TrustySigner,
    TrustyWallet,
)
from subgraphs.money.trusty.settings import TrustySettings
from subgraphs.money.trusty.states import (
    TrustyAccount,
)

MAX_LABEL = 100
MAX_CONTACT = 200
MAX_NAME = 100
FUNDING_KIND = "TRUSTY_FUNDING"


async def register_signer_key(
    session: AsyncSession, *, user_id: str, public_key: str, label: str, contact: str | None
) -> SignerKey:
    """Register the viewer's Ed25519 public key; CONFLICT when anyone registered it already."""
    try:
        normalised = normalise_public_key(public_key)
    except InvalidKeyEncoding as exc:
        raise InvalidPublicKey(str(exc)) from exc
    key = SignerKey(
        id=new_id(),
        user_id=user_id,
        public_key=normalised,
        label=required_text(label, field="label", max_length=MAX_LABEL),
        contact=optional_text(contact, field="contact", max_length=MAX_CONTACT) or None,
        created_at=utcnow(),
    )
    if await session.scalar(select(SignerKey.id).where(SignerKey.public_key == normalised)):
        raise SignerKeyAlreadyRegistered()
    session.add(key)
    try:
        await session.flush()
    except IntegrityError as exc:  # a concurrent registration of the same key won
        raise SignerKeyAlreadyRegistered() from exc
    record_event(
        session,
        "money.trusty.signer_key.registered",
        {"signerKeyId": key.id, "publicKey": normalised},
        user_id=user_id,
    )
    return key


async def list_signer_keys_of_users(
    session: AsyncSession, *, user_ids: Sequence[str]
) -> Iterable[SignerKey]:
    return await session.scalars(
        select(SignerKey)
        .where(SignerKey.user_id.in_(user_ids))
        .order_by(SignerKey.user_id, SignerKey.created_at, SignerKey.id)
    )


# --- trusty wallets ------------------------------------------------------------------------


async def create_trusty_wallet(
    session: AsyncSession,
    *,
    actor: Viewer,
    name: str,
    currency: str,
    threshold: int,
    signer_key_ids: Sequence[str],
    settings: TrustySettings,
) -> TrustyWallet:
    """An M-of-N wallet whose signers are the owners of `signer_key_ids` (distinct users, the
    creator among them), with an empty hot account and an empty vault."""
    user_id = actor.require_user_id()
    name = required_text(name, field="name", max_length=MAX_NAME)
    currency = validate_currency(currency)
    ids = [parse_id(key_id, field="signerKeyIds") for key_id in signer_key_ids]
    if not ids:
        raise InvalidSignerSet("give at least one signer key id")
    if len(ids) > settings.max_signers:
        raise InvalidSignerSet(f"at most {settings.max_signers} signers")
    if len(set(ids)) != len(ids):
        raise InvalidSignerSet("a signer key id is listed twice")
    keys = {
        key.id: key for key in await session.scalars(select(SignerKey).where(SignerKey.id.in_(ids)))
    }
    for key_id in ids:
        if key_id not in keys:
            raise SignerKeyNotFound(key_id)
    owners = [keys[key_id].user_id for key_id in ids]
    if len(set(owners)) != len(owners):
        raise InvalidSignerSet("two keys belong to the same user; each signer signs once")
    if user_id not in owners:
        raise InvalidSignerSet("include one of your own signer keys: the creator is a signer")
    if not 1 <= threshold <= len(ids):
        raise InvalidThreshold(threshold, len(ids))
    hot = await open_account(session, currency=currency, kind=HOT_ACCOUNT_KIND)
    vault = await open_account(session, currency=currency, kind=VAULT_ACCOUNT_KIND)
    wallet = TrustyWallet(
        id=new_id(),
        name=name,
        currency=currency,
        threshold=threshold,
        hot_account_id=hot.id,
        vault_account_id=vault.id,
        created_by=user_id,
        created_at=utcnow(),
    )
    session.add(wallet)
    await session.flush()  # no relationship orders the inserts: the wallet row goes first
    session.add_all(
        TrustySigner(
            id=new_id(),
            trusty_wallet_id=wallet.id,
            user_id=keys[key_id].user_id,
            signer_key_id=key_id,
            position=position,
        )
        for position, key_id in enumerate(ids)
    )
    await session.flush()
    record_event(
        session,
        "money.trusty.wallet.created",
        {
            "trustyWalletId": wallet.id,
            "currency": currency,
            "threshold": threshold,
            "signerIds": owners,
        },
        user_id=user_id,
    )
    return wallet


async def get_trusty_wallet(session: AsyncSession, trusty_wallet_id: str) -> TrustyWallet:
    wallet = await session.get(TrustyWallet, parse_id(trusty_wallet_id, field="trustyWalletId"))
    if wallet is None:
        raise TrustyWalletNotFound(trusty_wallet_id)
    return wallet


async def signers_of(session: AsyncSession, trusty_wallet_id: str) -> list[TrustySigner]:
    return list(
        await session.scalars(
            select(TrustySigner)
            .where(TrustySigner.trusty_wallet_id == trusty_wallet_id)
            .order_by(TrustySigner.position)
        )
    )


async def list_signers_of_wallets(
    session: AsyncSession, *, trusty_wallet_ids: Sequence[str]
) -> Iterable[TrustySigner]:
    return await session.scalars(
        select(TrustySigner)
        .where(TrustySigner.trusty_wallet_id.in_(trusty_wallet_ids))
        .order_by(TrustySigner.trusty_wallet_id, TrustySigner.position)
    )


async def list_trusty_wallets_of_user(session: AsyncSession, *, user_id: str) -> list[TrustyWallet]:
    """The trusty wallets `user_id` signs for, oldest first."""
    return list(
        await session.scalars(
            select(TrustyWallet)
            .join(TrustySigner, TrustySigner.trusty_wallet_id == TrustyWallet.id)
            .where(TrustySigner.user_id == user_id)
            .order_by(TrustyWallet.created_at, TrustyWallet.id)
        )
    )


def _signer(signers: Sequence[TrustySigner], user_id: str) -> TrustySigner | None:
    return next((signer for signer in signers if signer.user_id == user_id), None)


async def require_signer(
    session: AsyncSession, wallet: TrustyWallet, actor: Viewer
) -> tuple[TrustySigner, list[TrustySigner]]:
    """The actor's membership (and every signer): FORBIDDEN for anyone else, staff included."""
    user_id = actor.require_user_id()
    signers = await signers_of(session, wallet.id)
    signer = _signer(signers, user_id)
    if signer is None:
        raise NotASigner(f"trusty wallet {wallet.id}")
    return signer, signers


async def require_viewer(session: AsyncSession, wallet: TrustyWallet, actor: Viewer) -> None:
    """Reading: signers and administrators; FORBIDDEN for anyone else."""
    user_id = actor.require_user_id()
    if is_staff(actor, ADMIN):
        return
    if _signer(await signers_of(session, wallet.id), user_id) is None:
        raise NotASigner(f"trusty wallet {wallet.id}")


def account_id_of(wallet: TrustyWallet, account: TrustyAccount) -> str:
    return wallet.hot_account_id if account is TrustyAccount.HOT else wallet.vault_account_id


async def fund_trusty_wallet(
    session: AsyncSession,
    *,
    actor: Viewer,
    trusty_wallet_id: str,
    from_wallet_id: str,
    amount: int,
    into: TrustyAccount,
) -> JournalTransaction:
    """A signer moves `amount` from their own ACTIVE wallet into the hot account or the vault."""
    wallet = await get_trusty_wallet(session, trusty_wallet_id)
    signer, _ = await require_signer(session, wallet, actor)
    check_amount(amount)
    source_id = parse_id(from_wallet_id, field="fromWalletId")
    target_id = account_id_of(wallet, into)
    await lock_accounts(session, [source_id, target_id])
    source = await fresh_wallet(session, source_id, field="fromWalletId")
    if source.owner_id != signer.user_id:
        raise Forbidden(
            f"Only its owner may move money out of wallet {source.id}.", field="fromWalletId"
        )
    if source.status is not WalletStatus.ACTIVE:
        raise WalletNotActive(source.id, source.status.value)
    if source.currency != wallet.currency:
        raise InvalidFundingSource(
            f"the trusty wallet holds {wallet.currency}; fund it from a {wallet.currency} wallet"
        )
    journal = await post_journal_transaction(
        session,
        kind=FUNDING_KIND,
        entries=[Entry(source.id, -amount), Entry(target_id, amount)],
        memo=f"Funding of trusty wallet {wallet.name}"[:200],
        reference=wallet.id,
        initiated_by=signer.user_id,
    )
    record_event(
        session,
        "money.trusty.wallet.funded",
        {
            "trustyWalletId": wallet.id,
            "account": into.value,
            "amount": amount,
            "currency": wallet.currency,
            "journalTransactionId": journal.id,
        },
        user_id=signer.user_id,
    )
    return journal


async def balances(session: AsyncSession, wallet: TrustyWallet) -> dict[TrustyAccount, int]:
    rows = await session.execute(
        select(Account.id, Account.balance).where(
            Account.id.in_([wallet.hot_account_id, wallet.vault_account_id])
        )
    )
    by_id = {account_id: balance for account_id, balance in rows}
    return {
        TrustyAccount.HOT: int(by_id.get(wallet.hot_account_id, 0)),
        TrustyAccount.VAULT: int(by_id.get(wallet.vault_account_id, 0)),
    }


def check_amount(amount: int) -> None:
    if amount <= 0:
        raise InvalidAmount("it must be a positive number of minor units")


async def fresh_wallet(session: AsyncSession, wallet_id: str, *, field: str) -> Wallet:
    wallet = await session.scalar(
        select(Wallet).where(Wallet.id == wallet_id).execution_options(populate_existing=True)
    )
    if wallet is None:
        error = WalletNotFound(wallet_id)
        error.extensions["field"] = field
        raise error
    return wallet
