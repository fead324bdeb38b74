"""Screening wallet movements (transfers and withdrawals, i.e. payouts): the wallet services call
`screen_wallet_movement` once the source wallet is locked and its owner checked, right before
the journal transaction.

`Screening` is what the service's caller knows beyond the arguments: where the request came
from (`Screening.of_request`), or, for the executor of an approved hold, which decision
approved it. Only users moving their own money are screened: trusted callers (no actor: the
seed, internal jobs) and staff acting on someone else's wallet (audited operations) are not."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import HTTPConnection

from subgraphs.kernel.context import Viewer
from subgraphs.money.fraud.models import FraudDecision, MovementKind
from subgraphs.money.fraud.movement import NO_ORIGIN, MovementOrigin, OutgoingMovement, origin_of
from subgraphs.money.fraud.screening import screen_outgoing_movement
from subgraphs.money.models import Wallet


@dataclass(frozen=True, slots=True)
class Screening:
    origin: MovementOrigin = NO_ORIGIN
    approved_decision_id: str | None = None

    @classmethod
    def of_request(cls, request: HTTPConnection) -> Screening:
        return cls(origin=origin_of(request))


async def screen_wallet_movement(
    session: AsyncSession,
    *,
    kind: MovementKind,
    actor: Viewer | None,
    wallet: Wallet,
    amount: int,
    request: dict[str, Any],
    idempotency_key: str | None,
    screening: Screening | None,
    payment_method_id: str | None = None,
    payment_method_created_at: datetime | None = None,
) -> FraudDecision | None:
    """None when not screened; else the PASSED decision, or MovementHeld / MovementBlocked.
    A payout names the bank account it pays (`payment_method_*`): the new-method rule sees it."""
    if actor is None or actor.user_id != wallet.owner_id:
        return None
    screening = screening or Screening()
    movement = OutgoingMovement(
        kind=kind,
        user_id=wallet.owner_id,
        amount=amount,
        currency=wallet.currency,
        origin=screening.origin,
        source_wallet_id=wallet.id,
        payment_method_id=payment_method_id,
        payment_method_created_at=payment_method_created_at,
        idempotency_key=idempotency_key,
        request=request,
        approved_decision_id=screening.approved_decision_id,
    )
    return await screen_outgoing_movement(session, movement)
