"""The ledger API the money features build on (`subgraphs.money.ledger`, `idempotency`,
`verification`), on a migrated SQLite database: balanced postings only, minimum balances,
system accounts, the hash chain and what tampering with it looks like."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, select, update

from subgraphs.kernel.db import Database, open_database
from subgraphs.kernel.errors import BadUserInput
from subgraphs.kernel.testing import migrated_settings
from subgraphs.money.chain import ChainedPosting, canonical_content, chain_hash
from subgraphs.money.errors import InsufficientFunds, UnbalancedJournal
from subgraphs.money.idempotency import IdempotencyConflict, run_idempotently
from subgraphs.money.ledger import (
    Entry,
    open_account,
    post_journal_transaction,
    system_account,
)
from subgraphs.money.models import Account, JournalTransaction, LedgerHead, Posting
from subgraphs.money.verification import verify_ledger


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[Database]:
    settings = await migrated_settings("money", tmp_path)
    opened = open_database(settings.database_url("money"))
    yield opened
    await opened.dispose()


async def accounts(database: Database, *minimums: int | None, currency: str = "EUR") -> list[str]:
    async with database.sessions() as session:
        made = [
            (await open_account(session, currency=currency, kind="test", minimum_balance=m)).id
            for m in minimums
        ]
        await session.commit()
    return made


async def post(database: Database, entries: list[Entry], **options: Any) -> JournalTransaction:
    async with database.sessions() as session:
        journal = await post_journal_transaction(
            session, kind=options.pop("kind", "TEST"), entries=entries, memo="m", **options
        )
        await session.commit()
    return journal


async def test_postings_must_balance_per_currency(database: Database):
    source, target = await accounts(database, None, 0)
    [dollars] = await accounts(database, 0, currency="USD")

    for entries in (
        [Entry(source, -5), Entry(target, 4)],
        [Entry(source, -5)],
        [Entry(source, -5), Entry(source, 5)],
        [Entry(source, 0), Entry(target, 0)],
        [Entry(source, -5), Entry(dollars, 5)],
        [Entry(source, -5), Entry("00000000-0000-4000-8000-000000000000", 5)],
    ):
        with pytest.raises(UnbalancedJournal):
            await post(database, entries)
    with pytest.raises(ValueError, match="kind"):
        await post(database, [Entry(source, -5), Entry(target, 5)], kind="lower")

    async with database.sessions() as session:
        assert (await verify_ledger(session)).checked_transactions == 0


async def test_one_transaction_may_move_several_currencies_each_balanced(database: Database):
    euro_out, euro_in = await accounts(database, None, 0)
    dollar_out, dollar_in = await accounts(database, None, 0, currency="USD")

    journal = await post(
        database,
        [
            Entry(euro_out, -100),
            Entry(euro_in, 100),
            Entry(dollar_out, -110),
            Entry(dollar_in, 110),
        ],
        kind="EXCHANGE",
        reference="quote-1",
    )

    assert [posting.currency for posting in journal.postings] == ["EUR", "EUR", "USD", "USD"]
    async with database.sessions() as session:
        report = await verify_ledger(session)
    assert report.ok and report.checked_transactions == 1


async def test_no_account_goes_below_its_minimum_but_unbounded_ones_may(database: Database):
    system, floor_zero, floor_minus = await accounts(database, None, 0, -50)

    await post(database, [Entry(system, -100), Entry(floor_zero, 100)])
    with pytest.raises(InsufficientFunds):
        await post(database, [Entry(floor_zero, -101), Entry(system, 101)])
    await post(database, [Entry(floor_minus, -50), Entry(system, 50)])
    with pytest.raises(InsufficientFunds):
        await post(database, [Entry(floor_minus, -1), Entry(system, 1)])

    async with database.sessions() as session:
        balances = {a.id: a.balance for a in await session.scalars(select(Account))}
        report = await verify_ledger(session)
    assert balances == {system: -50, floor_zero: 100, floor_minus: -50}
    assert report.ok


async def test_system_accounts_are_created_once_per_currency_and_purpose(database: Database):
    async with database.sessions() as session:
        first = await system_account(session, "EUR", "payments.clearing")
        again = await system_account(session, "EUR", "payments.clearing")
        dollars = await system_account(session, "USD", "payments.clearing")
        await session.commit()
        with pytest.raises(ValueError):
            await system_account(session, "EUR", "Bad Purpose")
        with pytest.raises(BadUserInput):
            await system_account(session, "EURO", "fees")

    assert first.id == again.id != dollars.id
    assert first.minimum_balance is None and first.kind == "system"


async def test_each_transaction_hashes_its_canonical_content_and_the_previous_hash(
    database: Database,
):
    source, target = await accounts(database, None, 0)
    first = await post(database, [Entry(source, -1), Entry(target, 1)])
    second = await post(database, [Entry(source, -2), Entry(target, 2)], reference="r")

    expected = chain_hash(
        canonical_content(
            transaction_id=second.id,
            sequence=second.sequence,
            kind="TEST",
            memo="m",
            reference="r",
            created_at=second.created_at,
            previous_hash=first.hash,
            postings=[ChainedPosting(source, -2, "EUR"), ChainedPosting(target, 2, "EUR")],
        )
    )
    assert (first.sequence, second.sequence) == (1, 2)
    assert second.previous_hash == first.hash and second.hash == expected
    async with database.sessions() as session:
        head = await session.get(LedgerHead, 1)
    assert head is not None and (head.sequence, head.hash) == (2, second.hash)


async def chain_of_three(database: Database) -> tuple[list[JournalTransaction], str, str]:
    source, target = await accounts(database, None, 0)
    journals = [await post(database, [Entry(source, -n), Entry(target, n)]) for n in (1, 2, 3)]
    return journals, source, target


async def first_broken(database: Database) -> Any:
    async with database.sessions() as session:
        return await verify_ledger(session)


async def test_verify_ledger_finds_a_changed_amount(database: Database):
    journals, source, target = await chain_of_three(database)
    async with database.sessions() as session:
        await session.execute(
            update(Posting)
            .where(Posting.journal_transaction_id == journals[1].id, Posting.account_id == target)
            .values(amount=20)
        )
        await session.execute(
            update(Posting)
            .where(Posting.journal_transaction_id == journals[1].id, Posting.account_id == source)
            .values(amount=-20)
        )
        await session.commit()

    report = await first_broken(database)

    assert not report.ok
    link = report.broken_link
    assert (link.sequence, link.journal_transaction_id, link.reason) == (
        2,
        journals[1].id,
        "HASH_MISMATCH",
    )
    assert link.stored == journals[1].hash and link.expected != link.stored
    assert {m.account_id for m in report.balance_mismatches} == {source, target}


async def test_verify_ledger_finds_a_rewritten_link_at_the_next_transaction(database: Database):
    journals, _, _ = await chain_of_three(database)
    async with database.sessions() as session:
        # Rewrite the memo and a consistent hash: the next link no longer matches.
        forged = journals[0]
        new_hash = chain_hash(
            canonical_content(
                transaction_id=forged.id,
                sequence=1,
                kind=forged.kind,
                memo="forged",
                reference=None,
                created_at=forged.created_at,
                previous_hash=forged.previous_hash,
                postings=[
                    ChainedPosting(p.account_id, p.amount, p.currency) for p in forged.postings
                ],
            )
        )
        await session.execute(
            update(JournalTransaction)
            .where(JournalTransaction.id == forged.id)
            .values(memo="forged", hash=new_hash)
        )
        await session.commit()

    link = (await first_broken(database)).broken_link

    assert (link.sequence, link.reason) == (2, "PREVIOUS_HASH_MISMATCH")
    assert (link.expected, link.stored) == (new_hash, journals[0].hash)


async def remove(database: Database, journal_id: str) -> None:
    async with database.sessions() as session:
        await session.execute(delete(Posting).where(Posting.journal_transaction_id == journal_id))
        await session.execute(delete(JournalTransaction).where(JournalTransaction.id == journal_id))
        await session.commit()


async def test_verify_ledger_finds_a_missing_transaction(database: Database):
    journals, _, _ = await chain_of_three(database)
    await remove(database, journals[1].id)

    gap = (await first_broken(database)).broken_link

    assert (gap.sequence, gap.reason, gap.expected, gap.stored) == (2, "SEQUENCE_GAP", "2", "3")


async def test_verify_ledger_finds_a_truncated_tail(database: Database):
    journals, _, _ = await chain_of_three(database)
    await remove(database, journals[2].id)

    tail = (await first_broken(database)).broken_link

    assert (tail.sequence, tail.reason, tail.journal_transaction_id) == (3, "HEAD_MISMATCH", None)


async def test_a_changed_cached_balance_is_reported(database: Database):
    _, _, target = await chain_of_three(database)
    async with database.sessions() as session:
        await session.execute(update(Account).where(Account.id == target).values(balance=999))
        await session.commit()

    report = await first_broken(database)

    assert report.broken_link is None and not report.ok
    [mismatch] = report.balance_mismatches
    assert (mismatch.account_id, mismatch.cached, mismatch.derived) == (target, 999, 6)


async def test_run_idempotently_executes_once_per_key_and_payload(database: Database):
    runs: list[int] = []

    async def execute() -> dict[str, Any]:
        runs.append(1)
        return {"id": f"result-{len(runs)}"}

    async def call(key: str, request: dict[str, Any], scope: str = "user-1") -> Any:
        async with database.sessions() as session:
            result = await run_idempotently(
                session, scope=scope, key=key, operation="op", request=request, execute=execute
            )
            await session.commit()
            return result

    first = await call("k", {"amount": 1})
    again = await call("k", {"amount": 1})
    other_scope = await call("k", {"amount": 1}, scope="user-2")
    with pytest.raises(IdempotencyConflict):
        await call("k", {"amount": 2})
    for bad in ("", " padded", "x" * 101, "tab\there"):
        with pytest.raises(BadUserInput):
            await call(bad, {"amount": 1})

    assert first == again == {"id": "result-1"}
    assert other_scope == {"id": "result-2"}
    assert len(runs) == 2


async def test_a_failed_execution_leaves_its_key_unused(database: Database):
    async def fail() -> dict[str, Any]:
        raise InsufficientFunds("a", 0, 1, "EUR")

    async def succeed() -> dict[str, Any]:
        return {"id": "done"}

    async with database.sessions() as session:
        with pytest.raises(InsufficientFunds):
            await run_idempotently(
                session, scope="s", key="k", operation="op", request={}, execute=fail
            )
        await session.rollback()
    async with database.sessions() as session:
        result = await run_idempotently(
            session, scope="s", key="k", operation="op", request={}, execute=succeed
        )
        await session.commit()

    assert result == {"id": "done"}
