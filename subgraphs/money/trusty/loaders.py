"""Trusty wallets' DataLoader factories (one instance per request via `info.context.loaders`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from aiodataloader import DataLoader
from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.kernel.loaders import (
    PageKey,
    loader_by_id,
    loader_grouped_by_key,
    loader_paged_by_key,
)
from subgraphs.kernel.pagination import Page
from subgraphs.money.models import Account
from subgraphs.money.trusty.models import (
    Proposal,
    ProposalDecision,
    SignerKey,
    TrustySigner,
    TrustyWallet,
)
from subgraphs.money.trusty.services import (
    list_decisions_of_proposals,
    list_proposals_of_wallets,
    list_signer_keys_of_users,
    list_signers_of_wallets,
)
from subgraphs.money.trusty.states import ProposalStatus


async def _signers(session: AsyncSession, wallet_ids: Sequence[str]) -> Iterable[TrustySigner]:
    return await list_signers_of_wallets(session, trusty_wallet_ids=wallet_ids)


async def _decisions(
    session: AsyncSession, proposal_ids: Sequence[str]
) -> Iterable[ProposalDecision]:
    return await list_decisions_of_proposals(session, proposal_ids=proposal_ids)


async def _keys(session: AsyncSession, user_ids: Sequence[str]) -> Iterable[SignerKey]:
    return await list_signer_keys_of_users(session, user_ids=user_ids)


async def _proposal_pages(
    session: AsyncSession, wallet_ids: Sequence[str], shape: PageKey
) -> Mapping[str, Page[Proposal]]:
    status = shape.scope if isinstance(shape.scope, ProposalStatus) else None
    return await list_proposals_of_wallets(
        session, trusty_wallet_ids=wallet_ids, status=status, first=shape.first, after=shape.after
    )


def trusty_wallet_by_id(session: AsyncSession) -> DataLoader[str, TrustyWallet | None]:
    return loader_by_id(session, TrustyWallet)


def proposal_by_id(session: AsyncSession) -> DataLoader[str, Proposal | None]:
    return loader_by_id(session, Proposal)


def signer_key_by_id(session: AsyncSession) -> DataLoader[str, SignerKey | None]:
    return loader_by_id(session, SignerKey)


def account_by_id(session: AsyncSession) -> DataLoader[str, Account | None]:
    return loader_by_id(session, Account)


def signers_by_trusty_wallet_id(session: AsyncSession) -> DataLoader[str, list[TrustySigner]]:
    return loader_grouped_by_key(session, _signers, key=lambda signer: signer.trusty_wallet_id)


def decisions_by_proposal_id(session: AsyncSession) -> DataLoader[str, list[ProposalDecision]]:
    return loader_grouped_by_key(session, _decisions, key=lambda decision: decision.proposal_id)


def signer_keys_by_user_id(session: AsyncSession) -> DataLoader[str, list[SignerKey]]:
    return loader_grouped_by_key(session, _keys, key=lambda key: key.user_id)


def proposals_page_by_trusty_wallet_id(
    session: AsyncSession,
) -> DataLoader[PageKey, Page[Proposal]]:
    """N trusty wallets' `proposals` pages of one shape (and status: the key's scope) cost one
    SELECT."""
    return loader_paged_by_key(session, _proposal_pages)
