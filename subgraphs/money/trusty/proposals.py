"""Proposals: proposing, signed approvals, rejections, cancellation, the time-locked
execution and listing (the state machine is `states.py`; what is signed, `canonical.py`).

`now` parameters exist so tests can move time; callers pass None (the current time)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.kernel.context import Viewer
from subgraphs.kernel.db import new_id, utcnow
from subgraphs.kernel.events import record_event
from subgraphs.kernel.pagination import Page, paginate, paginate_by_parent
from subgraphs.kernel.validation import optional_text, parse_id
from subgraphs.money._sql import dialect_name
from subgraphs.money.errors import WalletNotActive
from subgraphs.money.ledger import Entry, lock_accounts, post_journal_transaction
from subgraphs.money.models import Wallet, WalletStatus
from subgraphs.money.trusty.canonical import (
    InvalidKeyEncoding,
    ProposalContent,
    encode_base64url,
    signature_bytes,
    signature_verifies,
)
from subgraphs.money.trusty.errors import (
    AlreadyDecided,
    InvalidDestination,
    InvalidExpiry,
    InvalidSignature,
    NotTimeLocked,
    OnlyProposerCancelsPending,
    ProposalNotFound,
    ProposalNotOpen,
    StillTimeLocked,
)
from subgraphs.money.trusty.models import (
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
from subgraphs.money.trusty.wallets import (
    account_id_of,
    check_amount,
    fresh_wallet,
    get_trusty_wallet,
    require_signer,
)

MAX_MEMO = 200
MAX_REASON = 200
DEFAULT_MEMO = "Trusty wallet transfer"
TRANSFER_KIND = "TRUSTY_TRANSFER"


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
    check_amount(amount)
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
        target = await fresh_wallet(session, target_id, field="proposalId")
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


def _status_filters(status: ProposalStatus | None, moment: datetime) -> list[ColumnElement[bool]]:
    """WHERE clauses for the effective `status` at `moment` (an expired PENDING is EXPIRED)."""
    if status is None:
        return []
    if status is ProposalStatus.PENDING:
        return [Proposal.status == ProposalStatus.PENDING, Proposal.expires_at > moment]
    if status is ProposalStatus.EXPIRED:
        return [
            or_(
                Proposal.status == ProposalStatus.EXPIRED,
                and_(Proposal.status == ProposalStatus.PENDING, Proposal.expires_at <= moment),
            )
        ]
    return [Proposal.status == status]


async def list_proposals(
    session: AsyncSession,
    *,
    trusty_wallet_id: str,
    status: ProposalStatus | None,
    first: int | None,
    after: str | None,
    now: datetime | None = None,
) -> Page[Proposal]:
    """A wallet's proposals, newest first, optionally of one effective status."""
    statement = select(Proposal).where(
        Proposal.trusty_wallet_id == trusty_wallet_id,
        *_status_filters(status, now or utcnow()),
    )
    return await paginate(session, statement, first=first, after=after, descending=True)


async def list_proposals_of_wallets(
    session: AsyncSession,
    *,
    trusty_wallet_ids: Sequence[str],
    status: ProposalStatus | None,
    first: int | None,
    after: str | None,
    now: datetime | None = None,
) -> dict[str, Page[Proposal]]:
    """`list_proposals` for several wallets in one SELECT (the DataLoader's batch)."""
    return await paginate_by_parent(
        session,
        Proposal,
        parent_column=Proposal.trusty_wallet_id,
        parent_ids=trusty_wallet_ids,
        first=first,
        after=after,
        descending=True,
        extra_filters=_status_filters(status, now or utcnow()),
    )
