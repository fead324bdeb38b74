"""Property tests (hypothesis) of the ledger: random sequences of deposits, withdrawals (payouts
to a bank account the sandbox accepts, or refuses at once), provider webhooks paying or failing
a payout in transit (and redelivered), transfers, freezes, failures, idempotent retries and
reused keys, each in its own unit of work on a migrated SQLite database, keep every invariant
of docs/money.md:

- the postings of each currency sum to zero;
- no wallet goes below zero, and each balance is what a plain model of the operations says;
- every cached balance equals the sum of its postings;
- every idempotent retry returns the first result (and moves nothing);
- a failed payout returns its money (even to a wallet frozen since), a paid one never does, and
  a redelivered outcome changes nothing;
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
from subgraphs.money.encryption import FieldKey, FieldKeys, install_field_keys
from subgraphs.money.idempotency import IdempotencyConflict
from subgraphs.money.models import Account, Wallet, WalletStatus
from subgraphs.money.payments import methods
from subgraphs.money.payments.sandbox import PAYOUT_ACCOUNT_CLOSED, SandboxProvider
from subgraphs.money.payouts import services as payouts
from subgraphs.money.payouts.ledger_port import IN_TRANSIT
from subgraphs.money.payouts.models import PayoutStatus
from subgraphs.money.payouts.settlement import settle_payout_from_provider
from subgraphs.money.verification import verify_ledger

OWNERS = [f"00000000-0000-4000-8000-00000000000{n}" for n in range(4)]
# Wallets 0-2 hold EUR, wallet 3 USD (transfers to it are currency mismatches).
CURRENCIES = ["EUR", "EUR", "EUR", "USD"]
ADMIN = Viewer(user_id="00000000-0000-4000-8000-0000000000aa", scopes=frozenset({"admin"}))
PROVIDER = SandboxProvider()
ACCEPTED_ACCOUNT = "DE89370400440532013000"

# Each example copies a migrated SQLite template file (the ledger on PostgreSQL has its own
# concurrency test, tests/production/test_money_ledger_on_postgres.py).
pytestmark = pytest.mark.sqlite_only


@dataclass(frozen=True)
class Operation:
    # deposit, withdraw, withdraw_refused, paid, failed, redeliver, transfer, freeze,
    # unfreeze, retry, reuse
    kind: str
    source: int
    target: int
    amount: int


KINDS = [
    *("deposit", "deposit", "withdraw", "withdraw", "withdraw_refused", "transfer", "transfer"),
    *("paid", "failed", "redeliver", "freeze", "unfreeze", "retry", "reuse"),
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


@pytest.fixture(autouse=True)
def field_keys() -> None:
    """Bank account numbers are encrypted at rest (the money app's lifespan installs keys)."""
    install_field_keys(FieldKeys([FieldKey.generate()]))


@dataclass
class Model:
    """What the balances must be, from the operations alone."""

    balances: list[int]
    frozen: list[bool]
    # Each successful movement: (service, id of its result, key, keyword arguments).
    movements: list[tuple[Any, str, str, dict[str, Any]]]
    # Payouts the provider accepted and has not settled: (provider reference, wallet, amount).
    in_transit: list[tuple[str, int, int]]
    # Settled payouts: (provider reference, PAID or FAILED).
    settled: list[tuple[str, PayoutStatus]]
    journal_transactions: int = 0


@dataclass(frozen=True)
class Setup:
    wallets: list[str]
    accepting: list[str]  # each owner's bank account the sandbox pays
    closed: list[str]  # each owner's closed bank account (refused at once)


def _call(operation: Operation, setup: Setup, key: str) -> tuple[Any, dict[str, Any]]:
    """The service and keyword arguments of a movement."""
    # An administrator moves the money: fraud screening (docs/money.md) would hold a user's
    # bursts, which is not what this test is about.
    actor = ADMIN
    wallets = setup.wallets
    source, target = wallets[operation.source], wallets[operation.target]
    base: dict[str, Any] = {"actor": actor, "amount": operation.amount, "idempotency_key": key}
    if operation.kind == "deposit":
        return services.deposit_to_wallet, {**base, "wallet_id": source}
    if operation.kind in ("withdraw", "withdraw_refused"):
        accounts = setup.accepting if operation.kind == "withdraw" else setup.closed
        return payouts.withdraw_from_wallet, {
            **base,
            "provider": PROVIDER,
            "wallet_id": source,
            "method_id": accounts[operation.source],
            "description": None,
        }
    return services.transfer_between_wallets, {
        **base,
        "from_wallet_id": source,
        "to_wallet_id": target,
    }


def _expected_to_succeed(model: Model, operation: Operation) -> bool:
    s, t, amount = operation.source, operation.target, operation.amount
    if operation.kind == "deposit":
        return not model.frozen[s]
    if operation.kind in ("withdraw", "withdraw_refused"):
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


def _move_model(model: Model, operation: Operation, result: Any) -> None:
    s, t, amount = operation.source, operation.target, operation.amount
    if operation.kind == "deposit":
        model.balances[s] += amount
        model.journal_transactions += 1
    elif operation.kind == "withdraw":
        assert result.status is PayoutStatus.IN_TRANSIT
        model.balances[s] -= amount
        model.in_transit.append((result.provider_reference, s, amount))
        model.journal_transactions += 1
    elif operation.kind == "withdraw_refused":
        assert result.status is PayoutStatus.FAILED
        assert result.failure_code == "account_closed"
        model.journal_transactions += 2  # the debit and its reversal
    elif operation.kind == "transfer":
        model.balances[s] -= amount
        model.balances[t] += amount
        model.journal_transactions += 1
    else:
        model.frozen[s] = operation.kind == "freeze"


async def _settle(sessions: Any, model: Model, operation: Operation) -> None:
    """The provider's webhook: pay or fail a payout in transit (the money goes back to the
    wallet, frozen or not), or deliver an outcome again (nothing changes)."""
    if operation.kind == "redeliver":
        if not model.settled:
            return
        reference, _ = model.settled[operation.target % len(model.settled)]
        paid = operation.amount % 2 == 0
    else:
        if not model.in_transit:
            return
        reference, wallet, amount = model.in_transit.pop(operation.target % len(model.in_transit))
        paid = operation.kind == "paid"
    async with sessions() as session:
        outcome, payout_id = await settle_payout_from_provider(
            session,
            provider_reference=reference,
            paid=paid,
            failure_code=None if paid else "account_closed",
            failure_message=None,
        )
        await session.commit()
    assert payout_id is not None, outcome
    if operation.kind == "redeliver":
        assert "already" in outcome, outcome
        return
    model.settled.append((reference, PayoutStatus.PAID if paid else PayoutStatus.FAILED))
    model.journal_transactions += 1
    if not paid:
        model.balances[wallet] += amount


async def _replay(sessions: Any, model: Model, *, change_payload: bool) -> None:
    """Retry the last movement's key: the same payload returns its first posting and moves
    nothing (even if the wallet is frozen since); another payload is CONFLICT."""
    if not model.movements:
        return
    service, first_result, _, arguments = model.movements[-1]
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
    assert replayed.id == first_result


async def _step(
    sessions: Any, setup: Setup, model: Model, index: int, operation: Operation
) -> None:
    if operation.kind in ("retry", "reuse"):
        await _replay(sessions, model, change_payload=operation.kind == "reuse")
        return
    if operation.kind in ("paid", "failed", "redeliver"):
        await _settle(sessions, model, operation)
        return
    expected = _expected_to_succeed(model, operation)
    key = f"key-{index}"
    async with sessions() as session:
        try:
            if operation.kind in ("freeze", "unfreeze"):
                status = WalletStatus.FROZEN if operation.kind == "freeze" else WalletStatus.ACTIVE
                await services.set_wallet_status(
                    session, actor=ADMIN, wallet_id=setup.wallets[operation.source], status=status
                )
                result = None
            else:
                service, arguments = _call(operation, setup, key)
                result = await service(session, **arguments)
            await session.commit()
        except DomainError as error:
            await session.rollback()
            assert not expected, (operation, error)
            return
    assert expected, operation
    if result is not None:
        model.movements.append((service, result.id, key, arguments))
    _move_model(model, operation, result)


async def _scenario(database_path: Path, steps: list[Operation]) -> None:
    database = open_database(f"sqlite+aiosqlite:///{database_path}")
    try:
        async with database.sessions() as session:
            wallets = [
                (await services.open_wallet(session, owner_id=owner, currency=currency)).id
                for owner, currency in zip(OWNERS, CURRENCIES, strict=True)
            ]
            accounts_of = [
                [
                    (
                        await methods.add_bank_account(
                            session,
                            owner_id=owner,
                            provider=PROVIDER,
                            holder_name="Owner",
                            account_number=number,
                            bank_code="COBADEFF",
                        )
                    ).id
                    for owner in OWNERS
                ]
                for number in (ACCEPTED_ACCOUNT, PAYOUT_ACCOUNT_CLOSED)
            ]
            await session.commit()
        setup = Setup(wallets=wallets, accepting=accounts_of[0], closed=accounts_of[1])
        model = Model(
            balances=[0, 0, 0, 0], frozen=[False] * 4, movements=[], in_transit=[], settled=[]
        )
        for index, step in enumerate(steps):
            await _step(database.sessions, setup, model, index, step)
        async with database.sessions() as session:
            report = await verify_ledger(session)
            stored = {w.id: w.balance for w in await session.scalars(select(Wallet))}
            accounts = list(await session.scalars(select(Account)))
            in_transit = {
                account.currency: account.balance
                for account in accounts
                if account.kind == "system" and account.purpose == IN_TRANSIT
            }
    finally:
        await database.dispose()
    assert report.ok, report
    assert [stored[wallet] for wallet in wallets] == model.balances
    assert all(
        account.balance >= account.minimum_balance
        for account in accounts
        if account.minimum_balance is not None
    )
    assert report.checked_transactions == model.journal_transactions
    for currency in set(CURRENCIES):
        waiting = sum(amount for _, w, amount in model.in_transit if CURRENCIES[w] == currency)
        assert in_transit.get(currency, 0) == waiting


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
