"""money's DataLoader factories (one instance per request via `info.context.loaders`)."""

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
from subgraphs.money.models import Transaction, Wallet
from subgraphs.money.services import (
    list_transactions_of_wallets,
    list_wallets_by_owner_ids,
)


async def _fetch_wallets_of_owners(
    session: AsyncSession, owner_ids: Sequence[str]
) -> Iterable[Wallet]:
    return await list_wallets_by_owner_ids(session, owner_ids=owner_ids)


async def _fetch_transaction_pages(
    session: AsyncSession, wallet_ids: Sequence[str], shape: PageKey
) -> Mapping[str, Page[Transaction]]:
    return await list_transactions_of_wallets(
        session, wallet_ids=wallet_ids, first=shape.first, after=shape.after
    )


def wallet_by_id(session: AsyncSession) -> DataLoader[str, Wallet | None]:
    return loader_by_id(session, Wallet)


def wallets_by_owner_id(session: AsyncSession) -> DataLoader[str, list[Wallet]]:
    return loader_grouped_by_key(session, _fetch_wallets_of_owners, key=lambda w: w.owner_id)


def transaction_by_id(session: AsyncSession) -> DataLoader[str, Transaction | None]:
    return loader_by_id(session, Transaction)


def transactions_page_by_wallet_id(session: AsyncSession) -> DataLoader[PageKey, Page[Transaction]]:
    """N wallets' `transactions` pages of one shape cost one SELECT."""
    return loader_paged_by_key(session, _fetch_transaction_pages)
