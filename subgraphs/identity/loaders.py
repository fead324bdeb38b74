"""identity's DataLoader factories (one instance per request via `info.context.loaders`)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from aiodataloader import DataLoader
from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.identity.models import User
from subgraphs.identity.services import list_users_by_ids
from subgraphs.kernel.loaders import loader_by_key


async def _fetch_users(session: AsyncSession, ids: Sequence[str]) -> Iterable[User]:
    return await list_users_by_ids(session, user_ids=ids)


def user_by_id(session: AsyncSession) -> DataLoader[str, User | None]:
    return loader_by_key(session, _fetch_users, key=lambda user: user.id)
