"""support's tables (prefix `support_`)."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, Enum, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from subgraphs.kernel.db import UTCDateTime, new_id, new_metadata, utcnow
from subgraphs.kernel.outbox import outbox_model


class Base(DeclarativeBase):
    metadata = new_metadata()
    type_annotation_map = {datetime: UTCDateTime}


Outbox = outbox_model(Base, "support")  # support_outbox: docs/events.md


class TicketStatus(enum.Enum):
    OPEN = "OPEN"
    IN_PROGRESS = "IN_PROGRESS"
    WAITING_ON_CUSTOMER = "WAITING_ON_CUSTOMER"
    RESOLVED = "RESOLVED"
    CLOSED = "CLOSED"


class TicketPriority(enum.Enum):
    LOW = "LOW"
    NORMAL = "NORMAL"
    HIGH = "HIGH"
    URGENT = "URGENT"


class Ticket(Base):
    __tablename__ = "support_tickets"
    __table_args__ = (
        Index("ix_support_tickets_created_at_id", "created_at", "id"),
        Index("ix_support_tickets_requester_id_created_at_id", "requester_id", "created_at", "id"),
        Index("ix_support_tickets_status_created_at_id", "status", "created_at", "id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    # identity's User id and commerce's Order id; no foreign keys across subgraphs.
    requester_id: Mapped[str] = mapped_column(String(36))
    order_id: Mapped[str | None] = mapped_column(String(36), default=None)
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[TicketStatus] = mapped_column(
        Enum(TicketStatus, native_enum=False, length=24, create_constraint=True, name="status"),
        default=TicketStatus.OPEN,
    )
    priority: Mapped[TicketPriority] = mapped_column(
        Enum(TicketPriority, native_enum=False, length=16, create_constraint=True, name="priority"),
        default=TicketPriority.NORMAL,
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


# --- notifications ----------------------------------------------------------------------------


class NotificationCategory(enum.Enum):
    """What a notification is about; preferences are kept per category and channel."""

    SECURITY = "SECURITY"
    PAYMENTS = "PAYMENTS"
    ORDERS = "ORDERS"
    SUPPORT = "SUPPORT"
    SYSTEM = "SYSTEM"


class NotificationChannel(enum.Enum):
    IN_APP = "IN_APP"
    EMAIL = "EMAIL"
    SMS = "SMS"
    PUSH = "PUSH"


class DeliveryStatus(enum.Enum):
    PENDING = "PENDING"
    HELD = "HELD"
    SENT = "SENT"
    FAILED = "FAILED"


def _enum(kind: type[enum.Enum], name: str, length: int) -> Enum:
    return Enum(kind, native_enum=False, length=length, create_constraint=True, name=name)


class Notification(Base):
    """One notification for one user. Listed in their inbox when `in_app` (their IN_APP
    preference for the category when it was created); the row exists either way, since the
    other channels' deliveries hang on it."""

    __tablename__ = "support_notifications"
    __table_args__ = (
        Index(
            "ix_support_notifications_user_id_in_app_created_at_id",
            "user_id",
            "in_app",
            "created_at",
            "id",
        ),
        # Retention scans every user's oldest notifications.
        Index("ix_support_notifications_created_at_id", "created_at", "id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    user_id: Mapped[str] = mapped_column(String(36))
    category: Mapped[NotificationCategory] = mapped_column(
        _enum(NotificationCategory, "category", 16)
    )
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    link: Mapped[str | None] = mapped_column(String(2048), default=None)
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    in_app: Mapped[bool] = mapped_column(Boolean, default=True)
    # The domain event it was made from, if any (handled events are also kept on their own).
    event_id: Mapped[str | None] = mapped_column(String(64), default=None)
    # What it is about, when that is one of support's tickets or commerce's orders.
    ticket_id: Mapped[str | None] = mapped_column(String(36), default=None)
    order_id: Mapped[str | None] = mapped_column(String(36), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(default=None)


class NotificationPreference(Base):
    """A user's choice for one category on one channel; absent rows mean the defaults."""

    __tablename__ = "support_notification_preferences"

    user_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    category: Mapped[NotificationCategory] = mapped_column(
        _enum(NotificationCategory, "category", 16), primary_key=True
    )
    channel: Mapped[NotificationChannel] = mapped_column(
        _enum(NotificationChannel, "channel", 16), primary_key=True
    )
    enabled: Mapped[bool] = mapped_column(Boolean)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class NotificationSettings(Base):
    """A user's contact points and quiet hours (absent row: no quiet hours, no contacts)."""

    __tablename__ = "support_notification_settings"

    user_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    email: Mapped[str | None] = mapped_column(String(320), default=None)
    phone_number: Mapped[str | None] = mapped_column(String(20), default=None)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    # Minutes after local midnight; both set or both null. start > end spans midnight.
    quiet_start_minute: Mapped[int | None] = mapped_column(Integer, default=None)
    quiet_end_minute: Mapped[int | None] = mapped_column(Integer, default=None)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class PushSubscription(Base):
    """A browser's Web Push subscription (PushSubscription.toJSON(): endpoint and keys)."""

    __tablename__ = "support_push_subscriptions"
    __table_args__ = (Index("ix_support_push_subscriptions_user_id", "user_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    user_id: Mapped[str] = mapped_column(String(36))
    endpoint: Mapped[str] = mapped_column(String(2048), unique=True)
    p256dh: Mapped[str] = mapped_column(String(128))
    auth: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Delivery(Base):
    """One notification on one outside channel (email, SMS, push): what happened to it."""

    __tablename__ = "support_deliveries"
    __table_args__ = (
        Index("ix_support_deliveries_status_next_attempt_at", "status", "next_attempt_at"),
        Index("ix_support_deliveries_notification_id", "notification_id"),
        Index("ix_support_deliveries_status_updated_at", "status", "updated_at"),  # retention
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    notification_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("support_notifications.id", ondelete="CASCADE")
    )
    channel: Mapped[NotificationChannel] = mapped_column(_enum(NotificationChannel, "channel", 16))
    # Where it goes: an email address, an E.164 number, or a push subscription's id.
    target: Mapped[str] = mapped_column(String(2048))
    status: Mapped[DeliveryStatus] = mapped_column(
        _enum(DeliveryStatus, "status", 16), default=DeliveryStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
    sent_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class HandledEvent(Base):
    """A domain event already turned into notifications (consumers see events at least once)."""

    __tablename__ = "support_handled_events"
    __table_args__ = (Index("ix_support_handled_events_handled_at", "handled_at"),)  # retention

    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    type: Mapped[str] = mapped_column(String(128))
    handled_at: Mapped[datetime] = mapped_column(default=utcnow)
