"""Payouts' DataLoader factories (one instance per request via `info.context.loaders`)."""

from __future__ import annotations

from aiodataloader import DataLoader
from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.kernel.loaders import loader_by_id
from subgraphs.money.payouts.models import Payout


def payout_by_id(session: AsyncSession) -> DataLoader[str, Payout | None]:
    return loader_by_id(session, Payout)
