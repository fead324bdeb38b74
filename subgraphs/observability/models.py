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
        Index("ix_observability_service_checks_checked_at", "checked_at"),  # retention
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


# --- alerts -----------------------------------------------------------------------------------


class AlertSeverity(enum.Enum):
    INFO = "INFO"
    WARNING = "WARNING"
    CRITICAL = "CRITICAL"

    @property
    def rank(self) -> int:
        return _SEVERITY_RANK[self]


_SEVERITY_RANK = {AlertSeverity.INFO: 0, AlertSeverity.WARNING: 1, AlertSeverity.CRITICAL: 2}


class AlertStatus(enum.Enum):
    OPEN = "OPEN"
    ACKNOWLEDGED = "ACKNOWLEDGED"
    RESOLVED = "RESOLVED"


class Alert(Base):
    """Something operators should look at. Repeats of one problem (same `dedup_key`) update the
    one unresolved alert (`count`, `last_seen_at`) instead of adding rows: `open_key` is the
    dedup key until the alert is resolved, then null, and is unique."""

    __tablename__ = "observability_alerts"
    __table_args__ = (
        Index("ix_observability_alerts_first_seen_at_id", "first_seen_at", "id"),
        Index("ix_observability_alerts_status_first_seen_at_id", "status", "first_seen_at", "id"),
        Index("ix_observability_alerts_status_resolved_at", "status", "resolved_at"),  # retention
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    dedup_key: Mapped[str] = mapped_column(String(200))
    open_key: Mapped[str | None] = mapped_column(String(200), unique=True, default=None)
    source: Mapped[str] = mapped_column(String(64))
    severity: Mapped[AlertSeverity] = mapped_column(
        Enum(AlertSeverity, native_enum=False, length=16, create_constraint=True, name="severity")
    )
    status: Mapped[AlertStatus] = mapped_column(
        Enum(AlertStatus, native_enum=False, length=16, create_constraint=True, name="status"),
        default=AlertStatus.OPEN,
    )
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    count: Mapped[int] = mapped_column(Integer, default=1)
    first_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    acknowledged_at: Mapped[datetime | None] = mapped_column(default=None)
    acknowledged_by: Mapped[str | None] = mapped_column(String(36), default=None)
    resolved_at: Mapped[datetime | None] = mapped_column(default=None)
    resolved_by: Mapped[str | None] = mapped_column(String(36), default=None)


class RuleHit(Base):
    """One event a threshold rule counted (failed sign-in, account lock, payment failure), kept
    for the rule's window; `event_id` is unique, so an event delivered twice counts once."""

    __tablename__ = "observability_rule_hits"
    __table_args__ = (
        Index("ix_observability_rule_hits_rule_occurred_at", "rule", "occurred_at"),
        Index("ix_observability_rule_hits_occurred_at", "occurred_at"),  # retention
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    rule: Mapped[str] = mapped_column(String(64))
    event_id: Mapped[str] = mapped_column(String(64), unique=True)
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)
