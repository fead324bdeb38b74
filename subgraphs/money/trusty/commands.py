"""The idempotent entry points the money-moving mutations call (`run_idempotently`: a retry
with the same key and input replays the first result; the result stores ids only)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.kernel.context import Viewer
from subgraphs.money.idempotency import JsonObject, run_idempotently
from subgraphs.money.trusty.models import (
    Proposal,
    TrustyWallet,
)
from subgraphs.money.trusty.proposals import (
    approve_proposal,
    execute_proposal,
    get_proposal,
    propose_transfer,
)
from subgraphs.money.trusty.settings import TrustySettings
from subgraphs.money.trusty.states import (
    TrustyAccount,
)
from subgraphs.money.trusty.wallets import fund_trusty_wallet, get_trusty_wallet


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
