"""media's GraphQL types: `Video` is owned here; `User` is identity's, extended with `videos`.

Access (issue 4, rules in `access.py`): videos are public by design, anonymous callers included;
PRIVATE ones exist only for their owner and administrators, here and in entity references."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.types import Info

from subgraphs.kernel.context import SubgraphContext
from subgraphs.kernel.loaders import PageKey
from subgraphs.kernel.pagination import Connection
from subgraphs.media import models
from subgraphs.media.access import can_see, sees_everything_of
from subgraphs.media.enums import VideoStatus, VideoVisibility
from subgraphs.media.loaders import video_by_id, videos_page_by_owner


@strawberry.federation.type(keys=["id"])
class User:
    id: strawberry.ID

    @strawberry.field(
        description=(
            "The user's videos, newest first. Other people see only PUBLIC, READY ones (the "
            "user themself and administrators see all)."
        )
    )
    async def videos(
        self,
        info: Info[SubgraphContext, None],
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Video]:
        owner_id = str(self.id)
        key = PageKey(
            parent_id=owner_id,
            first=first,
            after=after,
            scope=not sees_everything_of(info.context.viewer, owner_id),  # listed only
        )
        page = await info.context.loaders.get(videos_page_by_owner).load(key)
        return Connection.from_page(page, Video.from_model)


@strawberry.federation.type(
    keys=["id"],
    description=(
        "An uploaded video and its metadata. Every field is public for whoever may see the "
        "video: PRIVATE ones only their owner and administrators."
    ),
)
class Video:
    id: strawberry.ID
    title: str
    description: str
    status: VideoStatus
    visibility: VideoVisibility
    owner: User
    duration_seconds: int | None = strawberry.field(
        description="Length in whole seconds; null until processing has measured it."
    )
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_model(cls, video: models.Video) -> Video:
        return cls(
            id=strawberry.ID(video.id),
            title=video.title,
            description=video.description,
            status=video.status,
            visibility=video.visibility,
            owner=User(id=strawberry.ID(video.owner_id)),
            duration_seconds=video.duration_seconds,
            created_at=video.created_at,
            updated_at=video.updated_at,
        )

    @classmethod
    async def resolve_reference(
        cls, info: Info[SubgraphContext, None], id: strawberry.ID
    ) -> Video | None:
        video = await info.context.loaders.get(video_by_id).load(str(id))
        if video is None or not can_see(info.context.viewer, video):
            return None
        return cls.from_model(video)
