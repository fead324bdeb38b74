"""identity's DataLoader factories (one instance per request via `info.context.loaders`)."""

from __future__ import annotations

from aiodataloader import DataLoader
from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.identity.models import User
from subgraphs.kernel.loaders import loader_by_id


def user_by_id(session: AsyncSession) -> DataLoader[str, User | None]:
    return loader_by_id(session, User)
