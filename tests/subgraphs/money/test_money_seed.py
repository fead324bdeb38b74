"""money's demo seed: deterministic wallets for the demo users, balances equal to deposits."""

from __future__ import annotations

from sqlalchemy import func, select

from subgraphs.kernel.db import open_database
from subgraphs.kernel.demo import demo_id, demo_user_id
from subgraphs.kernel.seeding import seed_demo_data
from subgraphs.kernel.testing import migrated_settings
from subgraphs.money.history import derived_balance
from subgraphs.money.models import JournalTransaction, Wallet
from subgraphs.money.seed import DEMO_WALLETS, seed_demo
from subgraphs.money.verification import verify_ledger


async def test_seed_is_idempotent_and_balances_match_the_ledger(tmp_path):
    settings = await migrated_settings("money", tmp_path)
    database = open_database(settings.database_url("money"))
    try:
        await seed_demo_data("money", settings)
        async with database.sessions() as session:
            await seed_demo(session)
            await session.commit()

        async with database.sessions() as session:
            wallets = await session.scalar(select(func.count()).select_from(Wallet))
            transactions = await session.scalar(
                select(func.count()).select_from(JournalTransaction)
            )
            alice_eur = await session.get(Wallet, demo_id("wallet", "alice-eur"))
            sums = {
                wallet.id: (wallet.balance, await derived_balance(session, account_id=wallet.id))
                for wallet in await session.scalars(select(Wallet))
            }
            report = await verify_ledger(session)
    finally:
        await database.dispose()

    assert wallets == len(DEMO_WALLETS)
    assert transactions == sum(len(deposits) for *_, deposits in DEMO_WALLETS)
    assert alice_eur is not None
    assert alice_eur.owner_id == demo_user_id("alice")
    assert alice_eur.currency == "EUR" and alice_eur.balance == 20_000
    assert all(cached == summed > 0 for cached, summed in sums.values())
    assert report.ok and report.checked_transactions == transactions
