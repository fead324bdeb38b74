"""media's root query fields (thin: decode arguments, call a loader or service, map)."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from subgraphs.kernel.context import SubgraphContext
from subgraphs.kernel.pagination import Connection
from subgraphs.media import services
from subgraphs.media.access import can_see
from subgraphs.media.loaders import video_by_id
from subgraphs.media.types import Video


@strawberry.type
class Query:
    @strawberry.field(
        description=(
            "A video by id (public, no sign-in needed); null when unknown or PRIVATE to someone "
            "else (its owner and administrators see it)."
        )
    )
    async def video(self, info: Info[SubgraphContext, None], id: strawberry.ID) -> Video | None:
        found = await info.context.loaders.get(video_by_id).load(str(id))
        if found is None or not can_see(info.context.viewer, found):
            return None
        return Video.from_model(found)

    @strawberry.field(
        description="PUBLIC videos that are READY to watch, newest first (public, for everyone)."
    )
    async def videos(
        self,
        info: Info[SubgraphContext, None],
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Video]:
        page = await services.list_public_videos(info.context.session, first=first, after=after)
        return Connection.from_page(page, Video.from_model)
