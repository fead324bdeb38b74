"""media's root mutation fields (the kernel commits once all of them succeed)."""

from __future__ import annotations

from typing import TypeVar

import strawberry
from strawberry.types import Info

from subgraphs.kernel.context import SubgraphContext
from subgraphs.media import services
from subgraphs.media.inputs import CreateVideoInput, UpdateVideoInput
from subgraphs.media.types import Video

T = TypeVar("T")


def _given(value: T | None) -> T | services.Unchanged | None:
    """Strawberry's UNSET (field omitted) becomes the service's UNCHANGED."""
    return services.UNCHANGED if value is strawberry.UNSET else value


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Register an upload; the video starts UPLOADED.")
    async def create_video(
        self, info: Info[SubgraphContext, None], input: CreateVideoInput
    ) -> Video:
        video = await services.create_video(
            info.context.session,
            owner_id=str(input.owner_id),
            title=input.title,
            description=input.description,
            visibility=input.visibility,
        )
        return Video.from_model(video)

    @strawberry.mutation(description="Change a video's title, description or visibility.")
    async def update_video(
        self, info: Info[SubgraphContext, None], input: UpdateVideoInput
    ) -> Video:
        video = await services.update_video(
            info.context.session,
            video_id=str(input.video_id),
            title=_given(input.title),
            description=_given(input.description),
            visibility=_given(input.visibility),
        )
        return Video.from_model(video)
