"""Trusty wallets' business logic. Functions take the session, never commit, never import
Strawberry; money moves only through the ledger API (`subgraphs.money.ledger`).

`now` parameters exist so tests can move time; callers pass None (the current time).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.kernel.access import ADMIN, is_staff
from subgraphs.kernel.context import Viewer
from subgraphs.kernel.currencies import validate_currency
from subgraphs.kernel.db import new_id, utcnow
from subgraphs.kernel.events import record_event
from subgraphs.kernel.pagination import Page, paginate
from subgraphs.kernel.validation import optional_text, parse_id, required_text
from subgraphs.money._sql import dialect_name
from subgraphs.money.errors import InvalidAmount, WalletNotActive, WalletNotFound
from subgraphs.money.idempotency import JsonObject, run_idempotently
from subgraphs.money.ledger import Entry, lock_accounts, open_account, post_journal_transaction
from subgraphs.money.models import Account, JournalTransaction, Wallet, WalletStatus
from subgraphs.money.trusty.canonical import (
    InvalidKeyEncoding,
    ProposalContent,
    encode_base64url,
    normalise_public_key,
    signature_bytes,
    signature_verifies,
)
from subgraphs.money.trusty.errors import (
    AlreadyDecided,
    InvalidDestination,
    InvalidExpiry,
    InvalidPublicKey,
    InvalidSignature,
    InvalidSignerSet,
    InvalidThreshold,
    NotASigner,
    NotTimeLocked,
    OnlyProposerCancelsPending,
    ProposalNotFound,
    ProposalNotOpen,
    SignerKeyAlreadyRegistered,
    SignerKeyNotFound,
    StillTimeLocked,
    TrustyWalletNotFound,
)
from subgraphs.money.trusty.models import (
    HOT_ACCOUNT_KIND,
    VAULT_ACCOUNT_KIND,
    Proposal,
    ProposalDecision,
    SignerKey,
    TrustySigner,
    TrustyWallet,
)
from subgraphs.money.trusty.settings import TrustySettings
from subgraphs.money.trusty.states import (
    Decision,
    DestinationType,
    ProposalStatus,
    TrustyAccount,
    approval_still_possible,
    effective_status,
    executable_at,
    status_after_approvals,
)

MAX_LABEL = 100
MAX_CONTACT = 200
MAX_NAME = 100
MAX_MEMO = 200
MAX_REASON = 200
DEFAULT_MEMO = "Trusty wallet transfer"
TRANSFER_KIND = "TRUSTY_TRANSFER"
FUNDING_KIND = "TRUSTY_FUNDING"


# --- signer keys ---------------------------------------------------------------------------


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
    _check_amount(amount)
    source_id = parse_id(from_wallet_id, field="fromWalletId")
    target_id = account_id_of(wallet, into)
    await lock_accounts(session, [source_id, target_id])
    source = await _fresh_wallet(session, source_id, field="fromWalletId")
    if source.owner_id != signer.user_id:
        raise InvalidDestination("fromWalletId must be one of your own wallets")
    if source.status is not WalletStatus.ACTIVE:
        raise WalletNotActive(source.id, source.status.value)
    if source.currency != wallet.currency:
        raise InvalidDestination(
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


def _check_amount(amount: int) -> None:
    if amount <= 0:
        raise InvalidAmount("it must be a positive number of minor units")


async def _fresh_wallet(session: AsyncSession, wallet_id: str, *, field: str) -> Wallet:
    wallet = await session.scalar(
        select(Wallet).where(Wallet.id == wallet_id).execution_options(populate_existing=True)
    )
    if wallet is None:
        error = WalletNotFound(wallet_id)
        error.extensions["field"] = field
        raise error
    return wallet


# --- proposals -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Destination:
    type: DestinationType
    id: str


def content_of(proposal: Proposal) -> ProposalContent:
    return ProposalContent(
        proposal_id=proposal.id,
        trusty_wallet_id=proposal.trusty_wallet_id,
        source=proposal.source.value,
        destination_type=proposal.destination_type.value,
        destination_id=proposal.destination_id,
        amount=proposal.amount,
        currency=proposal.currency,
        memo=proposal.memo,
        threshold=proposal.threshold,
        time_lock_seconds=proposal.time_lock_seconds,
        created_at=proposal.created_at,
        expires_at=proposal.expires_at,
    )


def status_of(proposal: Proposal, now: datetime | None = None) -> ProposalStatus:
    return effective_status(proposal.status, proposal.expires_at, now or utcnow())


async def _resolve_destination(
    session: AsyncSession,
    wallet: TrustyWallet,
    source: TrustyAccount,
    *,
    destination_wallet_id: str | None,
    destination_account: TrustyAccount | None,
) -> Destination:
    if (destination_wallet_id is None) == (destination_account is None):
        raise InvalidDestination("give exactly one of destinationWalletId and destinationAccount")
    if destination_account is not None:
        if destination_account is source:
            raise InvalidDestination(f"the source is already the {source.value} account")
        kind = (
            DestinationType.TRUSTY_HOT
            if destination_account is TrustyAccount.HOT
            else DestinationType.TRUSTY_VAULT
        )
        return Destination(kind, wallet.id)
    assert destination_wallet_id is not None
    target = await session.get(Wallet, parse_id(destination_wallet_id, field="destinationWalletId"))
    if target is None:
        raise InvalidDestination(f"wallet {destination_wallet_id} does not exist")
    if target.currency != wallet.currency:
        raise InvalidDestination(
            f"wallet {target.id} holds {target.currency}, the trusty wallet {wallet.currency}"
        )
    return Destination(DestinationType.WALLET, target.id)


async def propose_transfer(
    session: AsyncSession,
    *,
    actor: Viewer,
    trusty_wallet_id: str,
    source: TrustyAccount,
    destination_wallet_id: str | None,
    destination_account: TrustyAccount | None,
    amount: int,
    memo: str | None,
    expires_in_seconds: int | None,
    settings: TrustySettings,
    now: datetime | None = None,
) -> Proposal:
    """A PENDING proposal to move `amount` out of the hot account or the vault. Signers approve
    it by signing its canonical content; vault withdrawals also wait `vault_delay_seconds`."""
    wallet = await get_trusty_wallet(session, trusty_wallet_id)
    signer, _ = await require_signer(session, wallet, actor)
    _check_amount(amount)
    destination = await _resolve_destination(
        session,
        wallet,
        source,
        destination_wallet_id=destination_wallet_id,
        destination_account=destination_account,
    )
    lifetime = settings.default_expiry_seconds if expires_in_seconds is None else expires_in_seconds
    if not settings.min_expiry_seconds <= lifetime <= settings.max_expiry_seconds:
        raise InvalidExpiry(settings.min_expiry_seconds, settings.max_expiry_seconds)
    moment = now or utcnow()
    proposal = Proposal(
        id=new_id(),
        trusty_wallet_id=wallet.id,
        source=source,
        destination_type=destination.type,
        destination_id=destination.id,
        amount=amount,
        currency=wallet.currency,
        memo=optional_text(memo, field="memo", max_length=MAX_MEMO, default=DEFAULT_MEMO),
        threshold=wallet.threshold,
        time_lock_seconds=settings.vault_delay_seconds if source is TrustyAccount.VAULT else 0,
        status=ProposalStatus.PENDING,
        proposed_by=signer.user_id,
        created_at=moment,
        expires_at=moment + timedelta(seconds=lifetime),
    )
    session.add(proposal)
    await session.flush()
    _record_proposal_event(session, "created", proposal, user_id=signer.user_id)
    return proposal


async def get_proposal(session: AsyncSession, proposal_id: str) -> Proposal:
    proposal = await session.get(Proposal, parse_id(proposal_id, field="proposalId"))
    if proposal is None:
        raise ProposalNotFound(proposal_id)
    return proposal


async def _lock_proposal(session: AsyncSession, proposal_id: str) -> Proposal:
    """The proposal, locked until the transaction ends (PostgreSQL: FOR UPDATE; SQLite: a
    no-op UPDATE takes the single writer's lock first), freshly read; NOT_FOUND."""
    proposal_id = parse_id(proposal_id, field="proposalId")
    if dialect_name(session) == "sqlite":
        await session.execute(
            update(Proposal)
            .where(Proposal.id == proposal_id)
            .values(status=Proposal.status)
            .execution_options(synchronize_session=False)
        )
    proposal = await session.scalar(
        select(Proposal)
        .where(Proposal.id == proposal_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if proposal is None:
        raise ProposalNotFound(proposal_id)
    return proposal


async def decisions_of(session: AsyncSession, proposal_id: str) -> list[ProposalDecision]:
    return list(
        await session.scalars(
            select(ProposalDecision)
            .where(ProposalDecision.proposal_id == proposal_id)
            .order_by(ProposalDecision.created_at, ProposalDecision.id)
        )
    )


async def list_decisions_of_proposals(
    session: AsyncSession, *, proposal_ids: Sequence[str]
) -> Iterable[ProposalDecision]:
    return await session.scalars(
        select(ProposalDecision)
        .where(ProposalDecision.proposal_id.in_(proposal_ids))
        .order_by(ProposalDecision.proposal_id, ProposalDecision.created_at, ProposalDecision.id)
    )


async def _open_for_decision(
    session: AsyncSession, proposal_id: str, actor: Viewer, action: str, now: datetime
) -> tuple[Proposal, TrustySigner, list[TrustySigner], list[ProposalDecision]]:
    proposal = await _lock_proposal(session, proposal_id)
    wallet = await get_trusty_wallet(session, proposal.trusty_wallet_id)
    signer, signers = await require_signer(session, wallet, actor)
    status = status_of(proposal, now)
    if status is not ProposalStatus.PENDING:
        raise ProposalNotOpen(proposal.id, status.value, action)
    decisions = await decisions_of(session, proposal.id)
    mine = next((d for d in decisions if d.user_id == signer.user_id), None)
    if mine is not None:
        raise AlreadyDecided(proposal.id, mine.decision.value)
    return proposal, signer, signers, decisions


async def approve_proposal(
    session: AsyncSession,
    *,
    actor: Viewer,
    proposal_id: str,
    signature: str,
    now: datetime | None = None,
) -> Proposal:
    """Record the actor's signed approval. The M-th approval executes a hot transfer at once
    (or, from the vault, starts the time lock). A bad signature records nothing."""
    moment = now or utcnow()
    proposal, signer, signers, decisions = await _open_for_decision(
        session, proposal_id, actor, "approved", moment
    )
    key = await session.get(SignerKey, signer.signer_key_id)
    if key is None:  # the foreign key makes this impossible
        raise LookupError(f"signer key {signer.signer_key_id} is missing")
    try:
        raw_signature = signature_bytes(signature)
    except InvalidKeyEncoding as exc:
        raise InvalidSignature(str(exc)) from exc
    if not signature_verifies(key.public_key, raw_signature, content_of(proposal).canonical()):
        raise InvalidSignature(
            f"it does not verify with your signer key {key.id} over this proposal's content"
        )
    session.add(
        ProposalDecision(
            id=new_id(),
            proposal_id=proposal.id,
            user_id=signer.user_id,
            signer_key_id=key.id,
            decision=Decision.APPROVE,
            signature=encode_base64url(raw_signature),
            created_at=moment,
        )
    )
    await session.flush()
    approvals = 1 + sum(1 for d in decisions if d.decision is Decision.APPROVE)
    _record_proposal_event(
        session,
        "approved",
        proposal,
        user_id=signer.user_id,
        extra={"approvals": approvals, "signerCount": len(signers)},
    )
    next_status = status_after_approvals(
        approvals, threshold=proposal.threshold, time_lock_seconds=proposal.time_lock_seconds
    )
    if next_status is ProposalStatus.TIME_LOCKED:
        proposal.status = ProposalStatus.TIME_LOCKED
        proposal.approved_at = moment
        proposal.executable_at = executable_at(moment, proposal.time_lock_seconds)
        await session.flush()
        _record_proposal_event(
            session,
            "time_locked",
            proposal,
            user_id=proposal.proposed_by,
            extra={"executableAt": proposal.executable_at.isoformat()},
        )
    elif next_status is ProposalStatus.EXECUTED:
        proposal.approved_at = moment
        await _execute(session, proposal, initiated_by=signer.user_id, now=moment)
    return proposal


async def reject_proposal(
    session: AsyncSession,
    *,
    actor: Viewer,
    proposal_id: str,
    reason: str | None,
    now: datetime | None = None,
) -> Proposal:
    """Record the actor's rejection; the proposal is REJECTED once the signers left can no
    longer reach the threshold."""
    moment = now or utcnow()
    proposal, signer, signers, decisions = await _open_for_decision(
        session, proposal_id, actor, "rejected", moment
    )
    session.add(
        ProposalDecision(
            id=new_id(),
            proposal_id=proposal.id,
            user_id=signer.user_id,
            signer_key_id=signer.signer_key_id,
            decision=Decision.REJECT,
            reason=optional_text(reason, field="reason", max_length=MAX_REASON) or None,
            created_at=moment,
        )
    )
    rejections = 1 + sum(1 for d in decisions if d.decision is Decision.REJECT)
    if not approval_still_possible(
        rejections=rejections, signer_count=len(signers), threshold=proposal.threshold
    ):
        proposal.status = ProposalStatus.REJECTED
        proposal.closed_at = moment
        proposal.closed_by = signer.user_id
        _record_proposal_event(
            session, "rejected", proposal, user_id=signer.user_id, extra={"rejections": rejections}
        )
    await session.flush()
    return proposal


async def cancel_proposal(
    session: AsyncSession,
    *,
    actor: Viewer,
    proposal_id: str,
    now: datetime | None = None,
) -> Proposal:
    """Cancel a PENDING proposal (its proposer only) or a TIME_LOCKED one (any signer)."""
    moment = now or utcnow()
    proposal = await _lock_proposal(session, proposal_id)
    wallet = await get_trusty_wallet(session, proposal.trusty_wallet_id)
    signer, _ = await require_signer(session, wallet, actor)
    status = status_of(proposal, moment)
    if status is ProposalStatus.PENDING and proposal.proposed_by != signer.user_id:
        raise OnlyProposerCancelsPending()
    if status not in (ProposalStatus.PENDING, ProposalStatus.TIME_LOCKED):
        raise ProposalNotOpen(proposal.id, status.value, "cancelled")
    proposal.status = ProposalStatus.CANCELLED
    proposal.closed_at = moment
    proposal.closed_by = signer.user_id
    await session.flush()
    _record_proposal_event(
        session, "cancelled", proposal, user_id=signer.user_id, extra={"wasStatus": status.value}
    )
    return proposal


async def execute_proposal(
    session: AsyncSession,
    *,
    actor: Viewer,
    proposal_id: str,
    now: datetime | None = None,
) -> Proposal:
    """Any signer executes a TIME_LOCKED proposal once its time lock has passed."""
    moment = now or utcnow()
    proposal = await _lock_proposal(session, proposal_id)
    wallet = await get_trusty_wallet(session, proposal.trusty_wallet_id)
    signer, _ = await require_signer(session, wallet, actor)
    status = status_of(proposal, moment)
    if status is not ProposalStatus.TIME_LOCKED:
        raise NotTimeLocked(proposal.id, status.value)
    assert proposal.executable_at is not None
    if moment < proposal.executable_at:
        raise StillTimeLocked(proposal.id, proposal.executable_at)
    await _execute(session, proposal, initiated_by=signer.user_id, now=moment)
    return proposal


async def _execute(
    session: AsyncSession, proposal: Proposal, *, initiated_by: str, now: datetime
) -> None:
    """Post the transfer and mark the proposal EXECUTED. A frozen destination wallet or a short
    balance raises CONFLICT, which rolls back the whole request (the approval included)."""
    wallet = await get_trusty_wallet(session, proposal.trusty_wallet_id)
    source_id = account_id_of(wallet, proposal.source)
    if proposal.destination_type is DestinationType.WALLET:
        target_id = proposal.destination_id
    elif proposal.destination_type is DestinationType.TRUSTY_HOT:
        target_id = wallet.hot_account_id
    else:
        target_id = wallet.vault_account_id
    await lock_accounts(session, [source_id, target_id])
    if proposal.destination_type is DestinationType.WALLET:
        target = await _fresh_wallet(session, target_id, field="proposalId")
        if target.status is not WalletStatus.ACTIVE:
            raise WalletNotActive(target.id, target.status.value)
    journal = await post_journal_transaction(
        session,
        kind=TRANSFER_KIND,
        entries=[Entry(source_id, -proposal.amount), Entry(target_id, proposal.amount)],
        memo=proposal.memo,
        reference=proposal.id,
        initiated_by=initiated_by,
        created_at=now,
    )
    proposal.status = ProposalStatus.EXECUTED
    proposal.executed_at = now
    proposal.journal_transaction_id = journal.id
    await session.flush()
    _record_proposal_event(
        session,
        "executed",
        proposal,
        user_id=proposal.proposed_by,
        extra={"journalTransactionId": journal.id},
    )


def _record_proposal_event(
    session: AsyncSession,
    verb: str,
    proposal: Proposal,
    *,
    user_id: str,
    extra: dict[str, object] | None = None,
) -> None:
    payload: dict[str, object] = {
        "proposalId": proposal.id,
        "trustyWalletId": proposal.trusty_wallet_id,
        "source": proposal.source.value,
        "destination": {"type": proposal.destination_type.value, "id": proposal.destination_id},
        "amount": proposal.amount,
        "currency": proposal.currency,
        "status": proposal.status.value,
        **(extra or {}),
    }
    record_event(session, f"money.trusty.proposal.{verb}", payload, user_id=user_id)


async def list_proposals(
    session: AsyncSession,
    *,
    trusty_wallet_id: str,
    status: ProposalStatus | None,
    first: int | None,
    after: str | None,
    now: datetime | None = None,
) -> Page[Proposal]:
    """A wallet's proposals, newest first; `status` filters by the effective status (an
    expired PENDING proposal is EXPIRED)."""
    moment = now or utcnow()
    statement = select(Proposal).where(Proposal.trusty_wallet_id == trusty_wallet_id)
    if status is ProposalStatus.PENDING:
        statement = statement.where(
            Proposal.status == ProposalStatus.PENDING, Proposal.expires_at > moment
        )
    elif status is ProposalStatus.EXPIRED:
        statement = statement.where(
            or_(
                Proposal.status == ProposalStatus.EXPIRED,
                and_(Proposal.status == ProposalStatus.PENDING, Proposal.expires_at <= moment),
            )
        )
    elif status is not None:
        statement = statement.where(Proposal.status == status)
    return await paginate(session, statement, first=first, after=after, descending=True)


# --- idempotent entry points (the mutations call these) --------------------------------------


async def fund_trusty_wallet_once(
    session: AsyncSession,
    *,
    actor: Viewer,
    idempotency_key: str,
    trusty_wallet_id: str,
    from_wallet_id: str,
    amount: int,
    into: TrustyAccount,
) -> TrustyWallet:
    async def execute() -> JsonObject:
        journal = await fund_trusty_wallet(
            session,
            actor=actor,
            trusty_wallet_id=trusty_wallet_id,
            from_wallet_id=from_wallet_id,
            amount=amount,
            into=into,
        )
        return {"trustyWalletId": trusty_wallet_id, "journalTransactionId": journal.id}

    result = await run_idempotently(
        session,
        scope=actor.require_user_id(),
        key=idempotency_key,
        operation="fundTrustyWallet",
        request={
            "trustyWalletId": trusty_wallet_id,
            "fromWalletId": from_wallet_id,
            "amount": amount,
            "into": into.value,
        },
        execute=execute,
    )
    return await get_trusty_wallet(session, str(result["trustyWalletId"]))


async def propose_transfer_once(
    session: AsyncSession,
    *,
    actor: Viewer,
    idempotency_key: str,
    trusty_wallet_id: str,
    source: TrustyAccount,
    destination_wallet_id: str | None,
    destination_account: TrustyAccount | None,
    amount: int,
    memo: str | None,
    expires_in_seconds: int | None,
    settings: TrustySettings,
) -> Proposal:
    async def execute() -> JsonObject:
        proposal = await propose_transfer(
            session,
            actor=actor,
            trusty_wallet_id=trusty_wallet_id,
            source=source,
            destination_wallet_id=destination_wallet_id,
            destination_account=destination_account,
            amount=amount,
            memo=memo,
            expires_in_seconds=expires_in_seconds,
            settings=settings,
        )
        return {"proposalId": proposal.id}

    result = await run_idempotently(
        session,
        scope=actor.require_user_id(),
        key=idempotency_key,
        operation="proposeTrustyTransfer",
        request={
            "trustyWalletId": trusty_wallet_id,
            "source": source.value,
            "destinationWalletId": destination_wallet_id,
            "destinationAccount": None
            if destination_account is None
            else destination_account.value,
            "amount": amount,
            "memo": memo,
            "expiresInSeconds": expires_in_seconds,
        },
        execute=execute,
    )
    return await get_proposal(session, str(result["proposalId"]))


async def approve_proposal_once(
    session: AsyncSession, *, actor: Viewer, idempotency_key: str, proposal_id: str, signature: str
) -> Proposal:
    async def execute() -> JsonObject:
        proposal = await approve_proposal(
            session, actor=actor, proposal_id=proposal_id, signature=signature
        )
        return {"proposalId": proposal.id}

    result = await run_idempotently(
        session,
        scope=actor.require_user_id(),
        key=idempotency_key,
        operation="approveTrustyProposal",
        request={"proposalId": proposal_id, "signature": signature},
        execute=execute,
    )
    return await get_proposal(session, str(result["proposalId"]))


async def execute_proposal_once(
    session: AsyncSession, *, actor: Viewer, idempotency_key: str, proposal_id: str
) -> Proposal:
    async def execute() -> JsonObject:
        proposal = await execute_proposal(session, actor=actor, proposal_id=proposal_id)
        return {"proposalId": proposal.id}

    result = await run_idempotently(
        session,
        scope=actor.require_user_id(),
        key=idempotency_key,
        operation="executeTrustyProposal",
        request={"proposalId": proposal_id},
        execute=execute,
    )
    return await get_proposal(session, str(result["proposalId"]))
