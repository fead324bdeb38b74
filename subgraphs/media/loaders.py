"""media's DataLoader factories (one instance per request via `info.context.loaders`)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import NamedTuple

from aiodataloader import DataLoader
from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.kernel.loaders import loader_by_key
from subgraphs.kernel.pagination import Page
from subgraphs.media.models import Video
from subgraphs.media.services import list_videos_by_ids, list_videos_of_owners


class OwnerVideosKey(NamedTuple):
    """One owner's page of videos: `listed_only` hides what only the owner may see."""

    owner_id: str
    first: int | None
    after: str | None
    listed_only: bool


async def _fetch_videos(session: AsyncSession, ids: Sequence[str]) -> Iterable[Video]:
    return await list_videos_by_ids(session, video_ids=ids)


def video_by_id(session: AsyncSession) -> DataLoader[str, Video | None]:
    return loader_by_key(session, _fetch_videos, key=lambda video: video.id)


def videos_page_by_owner(session: AsyncSession) -> DataLoader[OwnerVideosKey, Page[Video]]:
    """N owners asking for the same page shape cost one SELECT."""

    async def batch(keys: list[OwnerVideosKey]) -> list[Page[Video]]:
        shapes: dict[tuple[int | None, str | None, bool], set[str]] = defaultdict(set)
        for key in keys:
            shapes[(key.first, key.after, key.listed_only)].add(key.owner_id)
        pages: dict[OwnerVideosKey, Page[Video]] = {}
        for (first, after, listed_only), owner_ids in shapes.items():
            found = await list_videos_of_owners(
                session,
                owner_ids=sorted(owner_ids),
                first=first,
                after=after,
                listed_only=listed_only,
            )
            for owner_id, page in found.items():
                pages[OwnerVideosKey(owner_id, first, after, listed_only)] = page
        return [pages[key] for key in keys]

    return DataLoader(batch)
