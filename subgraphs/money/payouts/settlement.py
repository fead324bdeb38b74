"""The provider's word on a payout (a verified webhook, `payments/webhooks.py`):
`payout.paid` and `payout.failed` settle an IN_TRANSIT payout named by `data.reference`.

Idempotent: the webhook endpoint stores each provider event id once, and a second event about
the same payout (another id, or a contradicting type) finds it no longer IN_TRANSIT and moves
nothing (the status change is a compare-and-set, so two concurrent events cannot both win)."""

from __future__ import annotations

from typing import Final

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.money.payouts.errors import IllegalPayoutTransition
from subgraphs.money.payouts.models import Payout, PayoutStatus
from subgraphs.money.payouts.services import fail, mark_paid

PAYOUT_PAID: Final = "payout.paid"
PAYOUT_FAILED: Final = "payout.failed"
PAYOUT_EVENTS: Final = frozenset({PAYOUT_PAID, PAYOUT_FAILED})


async def settle_payout_from_provider(
    session: AsyncSession,
    *,
    provider_reference: str,
    paid: bool,
    failure_code: str | None,
    failure_message: str | None,
) -> tuple[str, str | None]:
    """What happened, in words, and the payout concerned (None when no payout has this
    reference)."""
    payout = await session.scalar(
        select(Payout)
        .where(Payout.provider_reference == provider_reference)
        .execution_options(populate_existing=True)
    )
    if payout is None:
        return "no payout has this reference", None
    if payout.status is not PayoutStatus.IN_TRANSIT:
        return f"payout {payout.id} is already {payout.status.value}", payout.id
    try:
        if paid:
            await mark_paid(session, payout)
        else:
            await fail(
                session,
                payout,
                failure_code or "payout_failed",
                failure_message or "The bank returned the payout.",
            )
    except IllegalPayoutTransition as exc:  # another event settled it meanwhile
        return f"payout {payout.id}: {exc.message}"[:200], payout.id
    return f"payout {payout.id} {payout.status.value}", payout.id
