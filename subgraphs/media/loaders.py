"""media's DataLoader factories (one instance per request via `info.context.loaders`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from aiodataloader import DataLoader
from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.kernel.loaders import PageKey, loader_by_id, loader_paged_by_key
from subgraphs.kernel.pagination import Page
from subgraphs.media.models import Video
from subgraphs.media.services import list_videos_of_owners


async def _fetch_video_pages(
    session: AsyncSession, owner_ids: Sequence[str], shape: PageKey
) -> Mapping[str, Page[Video]]:
    return await list_videos_of_owners(
        session,
        owner_ids=owner_ids,
        first=shape.first,
        after=shape.after,
        listed_only=bool(shape.scope),
    )


def video_by_id(session: AsyncSession) -> DataLoader[str, Video | None]:
    return loader_by_id(session, Video)


def videos_page_by_owner(session: AsyncSession) -> DataLoader[PageKey, Page[Video]]:
    """N owners asking for the same page shape cost one SELECT. The key's `scope` is
    "listed only": True hides what only the owner may see."""
    return loader_paged_by_key(session, _fetch_video_pages)
