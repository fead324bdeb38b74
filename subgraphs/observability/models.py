"""observability's tables (prefix `observability_`): every probe ever made, kept as history."""

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


Outbox = outbox_model(Base, "observability")  # observability_outbox: docs/events.md


class ServiceHealth(enum.Enum):
    UP = "UP"
    DEGRADED = "DEGRADED"
    DOWN = "DOWN"


class ServiceCheck(Base):
    __tablename__ = "observability_service_checks"
    __table_args__ = (
        Index("ix_observability_service_checks_name_checked_at_id", "name", "checked_at", "id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(64))
    url: Mapped[str] = mapped_column(String(2048))
    health: Mapped[ServiceHealth] = mapped_column(
        Enum(ServiceHealth, native_enum=False, length=16, create_constraint=True, name="health")
    )
    version: Mapped[str | None] = mapped_column(String(64), default=None)
    latency_ms: Mapped[int | None] = mapped_column(Integer, default=None)
    error: Mapped[str | None] = mapped_column(Text, default=None)
    checked_at: Mapped[datetime] = mapped_column(default=utcnow)
