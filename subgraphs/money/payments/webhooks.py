"""`POST /webhooks/payments/{provider}`: the provider's signed events (signatures.py).

- Bad, missing or stale signature: HTTP 400 `{"error": ...}`, recorded in
  `money_rejected_webhooks` (reason, remote address, body hash and length; never the body) and
  as the event `money.webhook.rejected`.
- Good signature: the JSON body `{"id", "type", "data": {...}}` is stored once by its provider
  event id (`money_webhook_events`); a replay of the same id answers 200 `{"duplicate": true}`
  and changes nothing. `charge.succeeded` / `charge.failed` (`data.reference`, and for failures
  `data.failureCode`, `data.failureMessage`) settle a PROCESSING payment; `payout.paid` /
  `payout.failed` (same fields) settle an IN_TRANSIT payout (`subgraphs.money.payouts`); other
  types are stored and acknowledged.
"""

from __future__ import annotations

import hashlib
import logging
from typing import Any

import orjson
from sqlalchemy.exc import IntegrityError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from subgraphs.kernel.db import Database
from subgraphs.kernel.events import record_event
from subgraphs.money.payments.models import RejectedWebhook, WebhookEvent
from subgraphs.money.payments.providers import ProviderRegistry
from subgraphs.money.payments.services import settle_from_provider
from subgraphs.money.payments.signatures import SIGNATURE_HEADER, SignatureRejected, verify
from subgraphs.money.payouts.settlement import (
    PAYOUT_EVENTS,
    PAYOUT_PAID,
    settle_payout_from_provider,
)

logger = logging.getLogger("subgraphs.money.payments")

WEBHOOK_PATH = "/webhooks/payments/{provider}"
MAX_BODY_BYTES = 256 * 1024


def _remote_address(request: Request) -> str | None:
    return request.client.host if request.client else None


async def _reject(
    database: Database, provider: str, request: Request, body: bytes, reason: str
) -> Response:
    async with database.sessions() as session:
        rejected = RejectedWebhook(
            provider=provider[:32],
            reason=reason[:200],
            remote_address=(_remote_address(request) or "")[:64] or None,
            body_sha256=hashlib.sha256(body).hexdigest(),
            body_length=len(body),
        )
        session.add(rejected)
        await session.flush()
        record_event(
            session,
            "money.webhook.rejected",
            {"provider": provider[:32], "reason": reason[:200], "rejectionId": rejected.id},
        )
        await session.commit()
    logger.warning("payments webhook from %s rejected: %s", provider, reason)
    return JSONResponse({"error": reason}, status_code=400)


def _parsed(body: bytes) -> tuple[str, str, dict[str, Any]] | None:
    try:
        event = orjson.loads(body)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(event, dict):
        return None
    event_id, event_type, data = event.get("id"), event.get("type"), event.get("data", {})
    if not (isinstance(event_id, str) and 0 < len(event_id) <= 64):
        return None
    if not (isinstance(event_type, str) and 0 < len(event_type) <= 64) or not isinstance(
        data, dict
    ):
        return None
    return event_id, event_type, data


async def receive_webhook(request: Request) -> Response:
    provider = request.path_params["provider"]
    registry: ProviderRegistry = request.app.state.payment_providers
    database: Database = request.app.state.database
    body = await request.body()
    if provider not in registry.providers:
        return JSONResponse({"error": f"unknown payment provider {provider!r}"}, status_code=404)
    if len(body) > MAX_BODY_BYTES:
        return await _reject(database, provider, request, b"", "body too large")
    try:
        verify(
            registry.webhook_secret,
            body,
            request.headers.get(SIGNATURE_HEADER),
            tolerance_seconds=registry.tolerance_seconds,
        )
    except SignatureRejected as exc:
        return await _reject(database, provider, request, body, str(exc))
    parsed = _parsed(body)
    if parsed is None:
        return await _reject(
            database, provider, request, body, "signed body is not an event {id, type, data}"
        )
    event_id, event_type, data = parsed
    async with database.sessions() as session:
        stored = WebhookEvent(
            provider=provider,
            provider_event_id=event_id,
            type=event_type,
            outcome="received",
        )
        session.add(stored)
        try:
            await session.flush()
        except IntegrityError:
            await session.rollback()
            return JSONResponse({"received": True, "duplicate": True})
        reference = data.get("reference")
        code, message = data.get("failureCode"), data.get("failureMessage")
        failure_code = code if isinstance(code, str) else None
        failure_message = message if isinstance(message, str) else None
        if event_type in ("charge.succeeded", "charge.failed") and isinstance(reference, str):
            stored.outcome, stored.payment_id = await settle_from_provider(
                session,
                provider_reference=reference[:64],
                succeeded=event_type == "charge.succeeded",
                failure_code=failure_code,
                failure_message=failure_message,
            )
        elif event_type in PAYOUT_EVENTS and isinstance(reference, str):
            stored.outcome, stored.payout_id = await settle_payout_from_provider(
                session,
                provider_reference=reference[:64],
                paid=event_type == PAYOUT_PAID,
                failure_code=failure_code,
                failure_message=failure_message,
            )
        else:
            stored.outcome = "acknowledged (nothing to do)"
        try:
            await session.commit()
        except IntegrityError:  # the same event committed meanwhile by another request
            await session.rollback()
            return JSONResponse({"received": True, "duplicate": True})
    return JSONResponse({"received": True, "duplicate": False, "outcome": stored.outcome})


def webhook_routes() -> list[Route]:
    return [Route(WEBHOOK_PATH, receive_webhook, methods=["POST"])]
