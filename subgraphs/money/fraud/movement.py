"""What a money-moving service tells the fraud screen about one outgoing movement."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from starlette.requests import HTTPConnection

from subgraphs.kernel.client_address import request_client_address
from subgraphs.kernel.settings import Settings
from subgraphs.money.fraud.models import MovementKind

DEVICE_ID_HEADER = "x-device-id"
"""A stable id of the client installation (docs/money.md, "Fraud detection"); the router must
forward it (`EHB_ROUTER_FORWARD_HEADERS=authorization,x-device-id`)."""

_SAFE_DEVICE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


@dataclass(frozen=True, slots=True)
class MovementOrigin:
    """Where the request came from: the client address (peer or trusted `X-Forwarded-For`)
    and the `X-Device-Id` header, each None when unknown."""

    client_address: str | None = None
    device_id: str | None = None


NO_ORIGIN = MovementOrigin()


def origin_of(request: HTTPConnection) -> MovementOrigin:
    """The origin of `request`, trusting `X-Forwarded-For` only from `EHB_TRUSTED_PROXIES`. A
    device id that is not 1-128 characters of [A-Za-z0-9._:-] is ignored (treated as none)."""
    settings: Settings = request.app.state.settings
    address = request_client_address(request, settings.trusted_proxies)
    device = request.headers.get(DEVICE_ID_HEADER, "").strip()
    return MovementOrigin(
        client_address=address[:45] or None,
        device_id=device if _SAFE_DEVICE_ID.match(device) else None,
    )


@dataclass(frozen=True, slots=True)
class OutgoingMovement:
    """One movement of money out of a user's control, about to happen.

    `request` holds the JSON-safe arguments the kind's executor (`executors.py`) needs to carry
    the movement out if it is held and later approved. `approved_decision_id` is set only by
    that executor: the movement was held, an administrator approved it, and it runs now
    without being screened again."""

    kind: MovementKind
    user_id: str
    amount: int
    currency: str
    origin: MovementOrigin = NO_ORIGIN
    source_wallet_id: str | None = None
    payment_method_id: str | None = None
    payment_method_created_at: datetime | None = None
    idempotency_key: str | None = None
    request: dict[str, Any] = field(default_factory=dict)
    approved_decision_id: str | None = None
