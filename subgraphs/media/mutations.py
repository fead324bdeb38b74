"""media's root mutation fields (the kernel commits once all of them succeed)."""

from __future__ import annotations

from typing import TypeVar

import strawberry
from strawberry.types import Info

from subgraphs.kernel.access import acting_user_id
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
    @strawberry.federation.mutation(
        authenticated=True,
        description=(
            "Register an upload of the signed-in user (administrators: for `ownerId`); the "
            "video starts UPLOADED."
        ),
    )
    async def create_video(
        self, info: Info[SubgraphContext, None], input: CreateVideoInput
    ) -> Video:
        requested = str(input.owner_id) if input.owner_id is not None else None
        video = await services.create_video(
            info.context.session,
            owner_id=acting_user_id(info.context.viewer, requested, field="ownerId"),
            title=input.title,
            description=input.description,
            visibility=input.visibility,
        )
        return Video.from_model(video)

    @strawberry.federation.mutation(
        authenticated=True,
        description=(
            "Change a video's title, description or visibility: its owner (or an "
            "administrator) only. Someone else's video is FORBIDDEN, or NOT_FOUND when PRIVATE."
        ),
    )
    async def update_video(
        self, info: Info[SubgraphContext, None], input: UpdateVideoInput
    ) -> Video:
        video = await services.update_video(
            info.context.session,
            actor=info.context.viewer,
            video_id=str(input.video_id),
            title=_given(input.title),
            description=_given(input.description),
            visibility=_given(input.visibility),
        )
        return Video.from_model(video)
