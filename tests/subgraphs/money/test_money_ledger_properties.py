"""Property tests (hypothesis) of the ledger: random sequences of deposits, withdrawals,
transfers, freezes, failures, idempotent retries and reused keys, each in its own unit of work
on a migrated SQLite database, keep every invariant of docs/money.md:

- the postings of each currency sum to zero;
- no wallet goes below zero, and each balance is what a plain model of the operations says;
- every cached balance equals the sum of its postings;
- every idempotent retry returns the first result (and moves nothing);
- the hash chain verifies.
"""

from __future__ import annotations

import asyncio
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from subgraphs.kernel.context import Viewer
from subgraphs.kernel.db import open_database
from subgraphs.kernel.errors import DomainError
from subgraphs.kernel.testing import migrated_settings
from subgraphs.money import services
from subgraphs.money.idempotency import IdempotencyConflict
from subgraphs.money.models import Account, Wallet, WalletStatus
from subgraphs.money.verification import verify_ledger

OWNERS = [f"00000000-0000-4000-8000-00000000000{n}" for n in range(4)]
# Wallets 0-2 hold EUR, wallet 3 USD (transfers to it are currency mismatches).
CURRENCIES = ["EUR", "EUR", "EUR", "USD"]
ADMIN = Viewer(user_id="00000000-0000-4000-8000-0000000000aa", scopes=frozenset({"admin"}))


@dataclass(frozen=True)
class Operation:
    kind: str  # deposit, withdraw, transfer, freeze, unfreeze, retry, reuse
    source: int
    target: int
    amount: int


KINDS = [
    *("deposit", "deposit", "withdraw", "transfer", "transfer", "transfer"),
    *("freeze", "unfreeze", "retry", "reuse"),
]
operations = st.lists(
    st.builds(
        Operation,
        kind=st.sampled_from(KINDS),
        source=st.integers(0, 3),
        target=st.integers(0, 3),
        amount=st.integers(1, 5_000),
    ),
    min_size=1,
    max_size=25,
)


@pytest.fixture(scope="module")
def template_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated money database, copied for each example (migrating each time is slow)."""
    directory = tmp_path_factory.mktemp("money-properties")
    asyncio.run(migrated_settings("money", directory))
    return directory / "money.db"


@dataclass
class Model:
    """What the balances must be, from the operations alone."""

    balances: list[int]
    frozen: list[bool]
    # Each successful movement: (service, first posting id, key, keyword arguments).
    movements: list[tuple[Any, str, str, dict[str, Any]]]


def _call(operation: Operation, wallets: list[str], key: str) -> tuple[Any, dict[str, Any]]:
    """The service and keyword arguments of a movement."""
    # An administrator moves the money: fraud screening (docs/money.md) would hold a user's
    # bursts, which is not what this test is about.
    actor = ADMIN
    source, target = wallets[operation.source], wallets[operation.target]
    base: dict[str, Any] = {"actor": actor, "amount": operation.amount, "idempotency_key": key}
    if operation.kind == "deposit":
        return services.deposit_to_wallet, {**base, "wallet_id": source}
    if operation.kind == "withdraw":
        return services.withdraw_from_wallet, {**base, "wallet_id": source}
    return services.transfer_between_wallets, {
        **base,
        "from_wallet_id": source,
        "to_wallet_id": target,
    }


def _expected_to_succeed(model: Model, operation: Operation) -> bool:
    s, t, amount = operation.source, operation.target, operation.amount
    if operation.kind == "deposit":
        return not model.frozen[s]
    if operation.kind == "withdraw":
        return not model.frozen[s] and model.balances[s] >= amount
    if operation.kind == "transfer":
        return (
            s != t
            and CURRENCIES[s] == CURRENCIES[t]
            and not model.frozen[s]
            and not model.frozen[t]
            and model.balances[s] >= amount
        )
    return model.frozen[s] is not (operation.kind == "freeze")


def _move_model(model: Model, operation: Operation) -> None:
    s, t, amount = operation.source, operation.target, operation.amount
    if operation.kind == "deposit":
        model.balances[s] += amount
    elif operation.kind == "withdraw":
        model.balances[s] -= amount
    elif operation.kind == "transfer":
        model.balances[s] -= amount
        model.balances[t] += amount
    else:
        model.frozen[s] = operation.kind == "freeze"


async def _replay(sessions: Any, model: Model, *, change_payload: bool) -> None:
    """Retry the last movement's key: the same payload returns its first posting and moves
    nothing (even if the wallet is frozen since); another payload is CONFLICT."""
    if not model.movements:
        return
    service, first_posting, _, arguments = model.movements[-1]
    if change_payload:
        arguments = {**arguments, "amount": arguments["amount"] + 1}
    async with sessions() as session:
        try:
            replayed = await service(session, **arguments)
        except IdempotencyConflict:
            assert change_payload
            await session.rollback()
            return
        await session.commit()
    assert not change_payload
    assert replayed.id == first_posting


async def _step(
    sessions: Any, wallets: list[str], model: Model, index: int, operation: Operation
) -> None:
    if operation.kind in ("retry", "reuse"):
        await _replay(sessions, model, change_payload=operation.kind == "reuse")
        return
    expected = _expected_to_succeed(model, operation)
    key = f"key-{index}"
    async with sessions() as session:
        try:
            if operation.kind in ("freeze", "unfreeze"):
                status = WalletStatus.FROZEN if operation.kind == "freeze" else WalletStatus.ACTIVE
                await services.set_wallet_status(
                    session, actor=ADMIN, wallet_id=wallets[operation.source], status=status
                )
            else:
                service, arguments = _call(operation, wallets, key)
                posting = await service(session, **arguments)
            await session.commit()
        except DomainError as error:
            await session.rollback()
            assert not expected, (operation, error)
            return
    assert expected, operation
    if operation.kind not in ("freeze", "unfreeze"):
        model.movements.append((service, posting.id, key, arguments))
    _move_model(model, operation)


async def _scenario(database_path: Path, steps: list[Operation]) -> None:
    database = open_database(f"sqlite+aiosqlite:///{database_path}")
    try:
        async with database.sessions() as session:
            wallets = [
                (await services.open_wallet(session, owner_id=owner, currency=currency)).id
                for owner, currency in zip(OWNERS, CURRENCIES, strict=True)
            ]
            await session.commit()
        model = Model(balances=[0, 0, 0, 0], frozen=[False] * 4, movements=[])
        for index, step in enumerate(steps):
            await _step(database.sessions, wallets, model, index, step)
        async with database.sessions() as session:
            report = await verify_ledger(session)
            stored = {w.id: w.balance for w in await session.scalars(select(Wallet))}
            accounts = list(await session.scalars(select(Account)))
    finally:
        await database.dispose()
    assert report.ok, report
    assert [stored[wallet] for wallet in wallets] == model.balances
    assert all(
        account.balance >= account.minimum_balance
        for account in accounts
        if account.minimum_balance is not None
    )
    assert report.checked_transactions == len(model.movements)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=operations)
def test_random_money_movements_keep_every_ledger_invariant(
    template_database: Path, tmp_path: Path, steps: list[Operation]
) -> None:
    database_path = tmp_path / "example.db"
    shutil.copyfile(template_database, database_path)
    for suffix in ("-wal", "-shm"):
        database_path.with_name(database_path.name + suffix).unlink(missing_ok=True)
    asyncio.run(_scenario(database_path, steps))
