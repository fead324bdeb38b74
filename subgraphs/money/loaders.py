"""money's DataLoader factories (one instance per request via `info.context.loaders`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from aiodataloader import DataLoader
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.kernel.loaders import (
    PageKey,
    loader_by_id,
    loader_by_key,
    loader_grouped_by_key,
    loader_paged_by_key,
)
from subgraphs.kernel.pagination import Page
from subgraphs.money.history import HistoryFilter, list_postings_of_wallets
from subgraphs.money.models import Posting, Wallet
from subgraphs.money.services import list_wallets_by_owner_ids


async def _fetch_wallets_of_owners(
    session: AsyncSession, owner_ids: Sequence[str]
) -> Iterable[Wallet]:
    return await list_wallets_by_owner_ids(session, owner_ids=owner_ids)


async def _fetch_wallet_postings(session: AsyncSession, ids: Sequence[str]) -> Iterable[Posting]:
    """Postings on wallet accounts only: a system account's posting is no `Transaction`."""
    return await session.scalars(
        select(Posting).join(Wallet, Wallet.id == Posting.account_id).where(Posting.id.in_(ids))
    )


async def _fetch_posting_pages(
    session: AsyncSession, wallet_ids: Sequence[str], shape: PageKey
) -> Mapping[str, Page[Posting]]:
    history_filter = shape.scope if isinstance(shape.scope, HistoryFilter) else None
    return await list_postings_of_wallets(
        session,
        wallet_ids=wallet_ids,
        first=shape.first,
        after=shape.after,
        history_filter=history_filter,
    )


def wallet_by_id(session: AsyncSession) -> DataLoader[str, Wallet | None]:
    return loader_by_id(session, Wallet)


def wallets_by_owner_id(session: AsyncSession) -> DataLoader[str, list[Wallet]]:
    return loader_grouped_by_key(session, _fetch_wallets_of_owners, key=lambda w: w.owner_id)


def transaction_by_id(session: AsyncSession) -> DataLoader[str, Posting | None]:
    """A wallet's `Transaction` (a posting on a wallet account) by id."""
    return loader_by_key(session, _fetch_wallet_postings, key=lambda posting: posting.id)


def transactions_page_by_wallet_id(session: AsyncSession) -> DataLoader[PageKey, Page[Posting]]:
    """N wallets' `transactions` pages of one shape (and filter, the key's scope) cost one
    SELECT."""
    return loader_paged_by_key(session, _fetch_posting_pages)
