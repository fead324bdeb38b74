"""media's tables (prefix `media_`)."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Enum, Index, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from subgraphs.kernel.db import UTCDateTime, new_id, new_metadata, utcnow
from subgraphs.kernel.outbox import outbox_model


class Base(DeclarativeBase):
    metadata = new_metadata()
    type_annotation_map = {datetime: UTCDateTime}


Outbox = outbox_model(Base, "media")  # media_outbox: docs/events.md


class VideoStatus(enum.Enum):
    UPLOADED = "UPLOADED"
    PROCESSING = "PROCESSING"
    READY = "READY"
    FAILED = "FAILED"


class VideoVisibility(enum.Enum):
    PUBLIC = "PUBLIC"
    UNLISTED = "UNLISTED"
    PRIVATE = "PRIVATE"


class Video(Base):
    __tablename__ = "media_videos"
    __table_args__ = (
        Index("ix_media_videos_owner_id_created_at_id", "owner_id", "created_at", "id"),
        Index(
            "ix_media_videos_visibility_status_created_at_id",
            "visibility",
            "status",
            "created_at",
            "id",
        ),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    # identity's User id; no foreign key across subgraphs.
    owner_id: Mapped[str] = mapped_column(String(36))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[VideoStatus] = mapped_column(
        Enum(VideoStatus, native_enum=False, length=16, create_constraint=True, name="status"),
        default=VideoStatus.UPLOADED,
    )
    visibility: Mapped[VideoVisibility] = mapped_column(
        Enum(
            VideoVisibility,
            native_enum=False,
            length=16,
            create_constraint=True,
            name="visibility",
        ),
        default=VideoVisibility.PRIVATE,
    )
    # Known once processing has measured the upload.
    duration_seconds: Mapped[int | None] = mapped_column(Integer, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def is_listed(self) -> bool:
        """Whether the video appears in lists shown to people other than its owner."""
        return self.visibility is VideoVisibility.PUBLIC and self.status is VideoStatus.READY
