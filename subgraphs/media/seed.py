"""media's demo data: a few videos of the shared demo users (idempotent)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.kernel.demo import demo_id, demo_user_id
from subgraphs.media.models import VideoStatus, VideoVisibility
from subgraphs.media.services import create_video, get_video


@dataclass(frozen=True, slots=True)
class DemoVideo:
    handle: str
    owner: str
    title: str
    description: str
    visibility: VideoVisibility
    status: VideoStatus
    duration_seconds: int | None

    @property
    def id(self) -> str:
        return demo_id("video", self.handle)


DEMO_VIDEOS: tuple[DemoVideo, ...] = (
    DemoVideo(
        "alice-unboxing",
        "alice",
        "Unboxing my handmade mug from Carol's Crafts",
        "First look at the speckled stoneware mug I ordered last week.",
        VideoVisibility.PUBLIC,
        VideoStatus.READY,
        312,
    ),
    DemoVideo(
        "alice-travel",
        "alice",
        "Three days in Lisbon",
        "Trams, tiles and far too many pastéis de nata.",
        VideoVisibility.PUBLIC,
        VideoStatus.READY,
        1045,
    ),
    DemoVideo(
        "alice-draft",
        "alice",
        "Draft: kitchen tour",
        "",
        VideoVisibility.PRIVATE,
        VideoStatus.PROCESSING,
        None,
    ),
    DemoVideo(
        "carol-glazing",
        "carol",
        "How I glaze stoneware",
        "Dipping, layering and firing: the whole process in one take.",
        VideoVisibility.PUBLIC,
        VideoStatus.READY,
        1860,
    ),
    DemoVideo(
        "bob-review",
        "bob",
        "Headphones review (unlisted preview)",
        "Sharing with friends before it goes public.",
        VideoVisibility.UNLISTED,
        VideoStatus.UPLOADED,
        None,
    ),
)


async def seed_demo(session: AsyncSession) -> None:
    for demo in DEMO_VIDEOS:
        if await get_video(session, video_id=demo.id) is None:
            await create_video(
                session,
                video_id=demo.id,
                owner_id=demo_user_id(demo.owner),
                title=demo.title,
                description=demo.description,
                visibility=demo.visibility,
                status=demo.status,
                duration_seconds=demo.duration_seconds,
            )
