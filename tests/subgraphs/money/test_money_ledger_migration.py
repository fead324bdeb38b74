"""The ledger revision moves a database of the old shape (wallets with a balance column and
one-sided transaction rows) onto the ledger without losing a minor unit: every wallet gets its
account, every old row a balanced, chained journal transaction whose wallet posting keeps the
old id; downgrading gives the old rows back."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.engine import Connection

from alembic import command
from subgraphs.kernel.db import open_database
from subgraphs.kernel.migrations import alembic_config
from subgraphs.money.models import Posting, Wallet
from subgraphs.money.verification import verify_ledger

BEFORE_LEDGER = "a7b13a1bff6e"
LEDGER = "c3e5a7b9d1f2"
WALLET = "11111111-1111-4111-8111-111111111111"
OTHER = "22222222-2222-4222-8222-222222222222"
OLD_ROWS = [
    # id, wallet, kind, amount, currency, description
    ("aaaaaaaa-0000-4000-8000-000000000001", WALLET, "DEPOSIT", 5_000, "EUR", "Opening"),
    ("aaaaaaaa-0000-4000-8000-000000000002", WALLET, "WITHDRAWAL", 1_200, "EUR", "Cash"),
    ("aaaaaaaa-0000-4000-8000-000000000003", OTHER, "DEPOSIT", 700, "USD", "Gift"),
]


async def _migrate(url: str, action: Any, revision: str) -> None:
    database = open_database(url)
    try:
        async with database.engine.begin() as connection:

            def run(sync: Connection) -> None:
                action(alembic_config("money", url, sync), revision)

            await connection.run_sync(run)
    finally:
        await database.dispose()


async def _insert_old_rows(url: str) -> None:
    database = open_database(url)
    moment = datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC).replace(tzinfo=None)
    try:
        async with database.engine.begin() as connection:
            for wallet_id, currency, balance in ((WALLET, "EUR", 3_800), (OTHER, "USD", 700)):
                await connection.execute(
                    text(
                        "INSERT INTO money_wallets (id, owner_id, currency, balance, status, "
                        "created_at) VALUES (:id, :owner, :currency, :balance, 'ACTIVE', :at)"
                    ),
                    {
                        "id": wallet_id,
                        "owner": wallet_id,
                        "currency": currency,
                        "balance": balance,
                        "at": moment,
                    },
                )
            for position, (row_id, wallet_id, kind, amount, currency, memo) in enumerate(OLD_ROWS):
                await connection.execute(
                    text(
                        "INSERT INTO money_transactions (id, wallet_id, kind, amount, currency, "
                        "description, created_at) VALUES (:id, :wallet, :kind, :amount, "
                        ":currency, :memo, :at)"
                    ),
                    {
                        "id": row_id,
                        "wallet": wallet_id,
                        "kind": kind,
                        "amount": amount,
                        "currency": currency,
                        "memo": memo,
                        "at": moment.replace(second=position),
                    },
                )
    finally:
        await database.dispose()


async def test_old_wallets_and_transactions_move_onto_a_verified_ledger_and_back(
    tmp_path: Path,
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'money.db'}"
    await _migrate(url, command.upgrade, BEFORE_LEDGER)
    await _insert_old_rows(url)

    await _migrate(url, command.upgrade, LEDGER)

    database = open_database(url)
    try:
        async with database.sessions() as session:
            report = await verify_ledger(session)
            balances = {w.id: w.balance for w in await session.scalars(select(Wallet))}
            postings = {
                posting.id: posting.amount
                for posting in await session.scalars(
                    select(Posting).where(Posting.account_id.in_([WALLET, OTHER]))
                )
            }
    finally:
        await database.dispose()
    assert report.ok, report
    assert report.checked_transactions == len(OLD_ROWS)
    assert balances == {WALLET: 3_800, OTHER: 700}
    assert postings == {OLD_ROWS[0][0]: 5_000, OLD_ROWS[1][0]: -1_200, OLD_ROWS[2][0]: 700}

    await _migrate(url, command.downgrade, BEFORE_LEDGER)

    database = open_database(url)
    try:
        async with database.engine.connect() as connection:
            rows = sorted(
                tuple(row)
                for row in await connection.execute(
                    text("SELECT id, wallet_id, kind, amount, currency FROM money_transactions")
                )
            )
            restored = dict(
                tuple(row)
                for row in await connection.execute(text("SELECT id, balance FROM money_wallets"))
            )
    finally:
        await database.dispose()
    assert rows == sorted(row[:5] for row in OLD_ROWS)
    assert restored == {WALLET: 3_800, OTHER: 700}
