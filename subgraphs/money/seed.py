"""money's demo data: wallets of the shared demo users with a few deposits (idempotent)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.kernel.demo import demo_id, demo_user_id
from subgraphs.money.models import Wallet
from subgraphs.money.services import deposit_to_wallet, open_wallet

# (wallet handle, owner handle, currency, [(deposit handle, minor units, description)])
DEMO_WALLETS: tuple[tuple[str, str, str, tuple[tuple[str, int, str], ...]], ...] = (
    (
        "alice-usd",
        "alice",
        "USD",
        (("alice-usd-1", 50_000, "Opening deposit"), ("alice-usd-2", 12_550, "Birthday gift")),
    ),
    ("alice-eur", "alice", "EUR", (("alice-eur-1", 20_000, "Opening deposit"),)),
    (
        "bob-usd",
        "bob",
        "USD",
        (("bob-usd-1", 10_000, "Opening deposit"), ("bob-usd-2", 4_599, "Refund from a friend")),
    ),
    ("carol-usd", "carol", "USD", (("carol-usd-1", 75_000, "Opening deposit"),)),
)


async def seed_demo(session: AsyncSession) -> None:
    """Each deposit is a journal transaction from the currency's funding account; the wallet's
    posting keeps the demo transaction id."""
    for wallet_handle, owner, currency, deposits in DEMO_WALLETS:
        wallet_id = demo_id("wallet", wallet_handle)
        if await session.get(Wallet, wallet_id) is not None:
            continue
        await open_wallet(
            session, owner_id=demo_user_id(owner), currency=currency, wallet_id=wallet_id
        )
        for deposit_handle, amount, description in deposits:
            await deposit_to_wallet(
                session,
                actor=None,
                wallet_id=wallet_id,
                amount=amount,
                description=description,
                transaction_id=demo_id("transaction", deposit_handle),
            )
