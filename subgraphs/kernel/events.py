"""Domain events, the outbox and the bus: the kernel side of docs/events.md, in one import.

    from subgraphs.kernel.events import record_event

    record_event(session, "money.deposit.succeeded", {"amount": 500, "currency": "EUR"},
                 user_id=wallet.owner_id)

- `outbox.py`: `outbox_model(Base, name)` (each subgraph's `<name>_outbox` table) and
  `record_event` (a row in the request's unit of work);
- `relay.py`: the lifespan task publishing outbox rows, in order, to `domain-events`;
- `bus.py`: `EventBus` over broadcaster (`EHB_BROADCAST_URL`), `app.state.events` and
  `info.context.events`: `publish`, `subscribe`, `consume`.
"""

from __future__ import annotations

from subgraphs.kernel.bus import DOMAIN_EVENTS, EventBus, Handler, open_event_bus
from subgraphs.kernel.outbox import OutboxRow, outbox_model, record_event
from subgraphs.kernel.relay import OutboxRelay, envelope, running_relay

__all__ = [
    "DOMAIN_EVENTS",
    "EventBus",
    "Handler",
    "OutboxRelay",
    "OutboxRow",
    "envelope",
    "open_event_bus",
    "outbox_model",
    "record_event",
    "running_relay",
]
