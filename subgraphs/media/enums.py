"""media's GraphQL enums: the domain enums themselves, registered once with Strawberry.

Import them from here (not from models) in types and inputs so every use sees the registration.
"""

from __future__ import annotations

import strawberry

from subgraphs.media.models import VideoStatus, VideoVisibility

strawberry.enum(VideoStatus, name="VideoStatus", description="Where a video is in processing.")
strawberry.enum(VideoVisibility, name="VideoVisibility", description="Who can see a video.")

__all__ = ["VideoStatus", "VideoVisibility"]
