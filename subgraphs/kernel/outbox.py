"""The transactional outbox: each subgraph's `<name>_outbox` table and `record_event`.

A subgraph declares its table in `models.py`, bound to its own metadata (so its Alembic branch
creates it and the models-vs-migrations test sees it):

    Outbox = outbox_model(Base, "money")

`record_event(session, "money.deposit.succeeded", {...}, user_id=...)` adds a row to the session,
so it commits with the state change it describes or not at all (docs/events.md). The table is
found from the event type's first segment. After a commit that recorded events, the relays of
that subgraph running in this process are woken at once (`relay.py` also polls).

Rows: `position` (autoincrement; the relay publishes in this order), `id` (uuid4 hex, the
consumers' dedupe key), `type`, `user_id`, `payload` (JSON), `occurred_at`, `published_at`
(null until the relay has handed the event to the broadcaster).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, cast

from sqlalchemy import JSON, BigInteger, Index, Integer, String, event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, declared_attr, mapped_column

from subgraphs.kernel.db import UTCDateTime, utcnow

__all__ = [
    "OutboxRow",
    "add_relay_wakeup",
    "discard_relay_wakeup",
    "outbox_model",
    "outbox_model_for",
    "record_event",
]

_EVENT_TYPE = re.compile(r"^([a-z]+)\.[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")
_HOOKED = "ehb.outbox.hooked"
_RECORDED = "ehb.outbox.recorded"

_models: dict[str, type[OutboxRow]] = {}
_wakeups: dict[str, set[Callable[[], None]]] = {}


class OutboxRow:
    """The columns of every `<name>_outbox` table (mixed into the subgraph's own Base)."""

    # SQLite only autoincrements an INTEGER PRIMARY KEY (the rowid).
    position: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True
    )
    id: Mapped[str] = mapped_column(String(32), unique=True)
    type: Mapped[str] = mapped_column(String(200))
    user_id: Mapped[str | None] = mapped_column(String(36))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @declared_attr.directive
    @classmethod
    def __table_args__(cls) -> tuple[Any, ...]:
        table = cast(str, getattr(cls, "__tablename__"))  # noqa: B009 - set by outbox_model
        return (Index(f"ix_{table}_published_at_position", "published_at", "position"),)


def outbox_model(base: type[DeclarativeBase], name: str) -> type[OutboxRow]:
    """Declare subgraph `name`'s outbox table on `base` (its DeclarativeBase) and register it
    for `record_event`. Call once, in the subgraph's `models.py`."""
    if name in _models:
        raise ValueError(f"{name} already has an outbox model")
    model = type(
        f"{name.title()}Outbox",
        (OutboxRow, base),
        {"__tablename__": f"{name}_outbox", "__module__": base.__module__},
    )
    _models[name] = model
    return model


def outbox_model_for(name: str) -> type[OutboxRow]:
    """Subgraph `name`'s outbox model (its `models.py` must have been imported)."""
    try:
        return _models[name]
    except KeyError:
        raise LookupError(
            f"{name} has no outbox: add `Outbox = outbox_model(Base, {name!r})` to its models.py"
        ) from None


def record_event(
    session: AsyncSession | Session,
    event_type: str,
    payload: Mapping[str, Any],
    *,
    user_id: str | None = None,
) -> str:
    """Add event `event_type` (`<subgraph>.<noun>.<past-tense verb>`) to the outbox of the
    subgraph it names, in `session`'s unit of work. Returns the event id (uuid4 hex)."""
    match = _EVENT_TYPE.match(event_type)
    if match is None:
        raise ValueError(f"event type {event_type!r} is not '<subgraph>.<noun>.<verb>'")
    name = match.group(1)
    model = outbox_model_for(name)
    event_id = uuid.uuid4().hex
    row = model()
    row.id = event_id
    row.type = event_type
    row.user_id = user_id
    row.payload = dict(payload)
    row.occurred_at = utcnow()
    session.add(row)
    sync_session = session.sync_session if isinstance(session, AsyncSession) else session
    _wake_relays_after_commit(sync_session, name)
    return event_id


def _wake_relays_after_commit(session: Session, name: str) -> None:
    session.info.setdefault(_RECORDED, set()).add(name)
    if not session.info.get(_HOOKED):
        session.info[_HOOKED] = True
        event.listen(session, "after_commit", _after_commit)
        event.listen(session, "after_rollback", _after_rollback)


def _after_commit(session: Session) -> None:
    for name in session.info.pop(_RECORDED, set()):
        for wake in list(_wakeups.get(name, ())):
            wake()


def _after_rollback(session: Session) -> None:
    session.info.pop(_RECORDED, None)


def add_relay_wakeup(name: str, wake: Callable[[], None]) -> None:
    """Call `wake()` after every commit in this process that recorded a `name` event."""
    _wakeups.setdefault(name, set()).add(wake)


def discard_relay_wakeup(name: str, wake: Callable[[], None]) -> None:
    _wakeups.get(name, set()).discard(wake)
