"""media's business logic. Functions take the session, never commit, never import Strawberry."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.kernel.context import Viewer
from subgraphs.kernel.db import utcnow
from subgraphs.kernel.pagination import Page, paginate, paginate_by_parent
from subgraphs.kernel.validation import optional_text, parse_id, required_text
from subgraphs.media.access import can_see, check_can_change
from subgraphs.media.errors import (
    InvalidVisibility,
    NothingToUpdate,
    VideoNotFound,
)
from subgraphs.media.models import Video, VideoStatus, VideoVisibility

MAX_TITLE = 200
MAX_DESCRIPTION = 5000


@dataclass(frozen=True, slots=True)
class Unchanged:
    """Marks an update field the caller did not give."""


UNCHANGED = Unchanged()


def normalise_title(raw: str | None) -> str:
    return required_text(raw, field="title", max_length=MAX_TITLE)


def normalise_description(raw: str | None) -> str:
    return optional_text(raw, field="description", max_length=MAX_DESCRIPTION)


async def get_video(session: AsyncSession, *, video_id: str) -> Video | None:
    return await session.get(Video, video_id)


async def list_public_videos(
    session: AsyncSession, *, first: int | None, after: str | None
) -> Page[Video]:
    """PUBLIC, READY videos, newest first."""
    statement = select(Video).where(
        Video.visibility == VideoVisibility.PUBLIC, Video.status == VideoStatus.READY
    )
    return await paginate(session, statement, first=first, after=after, descending=True)


async def list_videos_of_owners(
    session: AsyncSession,
    *,
    owner_ids: Sequence[str],
    first: int | None,
    after: str | None,
    listed_only: bool,
) -> dict[str, Page[Video]]:
    """Each owner's videos newest first, one SELECT for all owners; `listed_only` keeps only
    what other people may see in a list (PUBLIC and READY)."""
    return await paginate_by_parent(
        session,
        Video,
        parent_column=Video.owner_id,
        parent_ids=owner_ids,
        first=first,
        after=after,
        descending=True,
        extra_filters=(
            (Video.visibility == VideoVisibility.PUBLIC, Video.status == VideoStatus.READY)
            if listed_only
            else ()
        ),
    )


async def create_video(
    session: AsyncSession,
    *,
    owner_id: str,
    title: str,
    description: str | None,
    visibility: VideoVisibility,
    video_id: str | None = None,
    status: VideoStatus = VideoStatus.UPLOADED,
    duration_seconds: int | None = None,
) -> Video:
    """A freshly uploaded video (status UPLOADED unless seeding says otherwise)."""
    now = utcnow()
    video = Video(
        owner_id=parse_id(owner_id, field="ownerId"),
        title=normalise_title(title),
        description=normalise_description(description),
        visibility=visibility,
        status=status,
        duration_seconds=duration_seconds,
        created_at=now,
        updated_at=now,
    )
    if video_id is not None:
        video.id = video_id
    session.add(video)
    await session.flush()
    return video


async def update_video(
    session: AsyncSession,
    *,
    actor: Viewer | None,
    video_id: str,
    title: str | Unchanged | None = UNCHANGED,
    description: str | Unchanged | None = UNCHANGED,
    visibility: VideoVisibility | Unchanged | None = UNCHANGED,
) -> Video:
    """Change the given fields (a null description clears it); NOT_FOUND for an unknown id or
    one `actor` may not see (PRIVATE to someone else), FORBIDDEN unless `actor` owns it or is
    an administrator (None: a trusted caller)."""
    if actor is not None:
        actor.require_user_id()
    if all(isinstance(value, Unchanged) for value in (title, description, visibility)):
        raise NothingToUpdate()
    new_title = None if isinstance(title, Unchanged) else normalise_title(title)
    new_description = (
        None if isinstance(description, Unchanged) else normalise_description(description)
    )
    if visibility is None:
        raise InvalidVisibility()
    video = await get_video(session, video_id=video_id)
    if video is None or (actor is not None and not can_see(actor, video)):
        raise VideoNotFound(video_id)
    if actor is not None:
        check_can_change(actor, video)
    if new_title is not None:
        video.title = new_title
    if new_description is not None:
        video.description = new_description
    if not isinstance(visibility, Unchanged):
        video.visibility = visibility
    video.updated_at = utcnow()
    await session.flush()
    return video
