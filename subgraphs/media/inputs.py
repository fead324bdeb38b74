"""media's GraphQL input types."""

from __future__ import annotations

import strawberry

from subgraphs.media.enums import VideoVisibility


@strawberry.input
class CreateVideoInput:
    owner_id: strawberry.ID | None = strawberry.field(
        default=None,
        description=(
            "Administrators only: register the upload for this user. Everyone else omits it "
            "(or gives their own id): the owner is the signed-in user."
        ),
    )
    title: str = strawberry.field(description="1 to 200 characters after trimming.")
    description: str = strawberry.field(default="", description="At most 5000 characters.")
    visibility: VideoVisibility = VideoVisibility.PRIVATE


@strawberry.input
class UpdateVideoInput:
    video_id: strawberry.ID
    title: str | None = strawberry.field(
        default=strawberry.UNSET, description="Omit to keep; 1 to 200 characters."
    )
    description: str | None = strawberry.field(
        default=strawberry.UNSET, description="Omit to keep; null or empty clears it."
    )
    visibility: VideoVisibility | None = strawberry.field(
        default=strawberry.UNSET, description="Omit to keep."
    )
