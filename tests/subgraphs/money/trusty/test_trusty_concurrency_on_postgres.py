"""Concurrent approvals on PostgreSQL: every proposal executes at most once, the hot account
never goes below zero, and the ledger still verifies."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator

import pytest

from subgraphs.kernel.db import Database, open_database
from subgraphs.kernel.errors import DomainError
from subgraphs.kernel.migrations import migrate_to_head_async
from subgraphs.money.encryption import FieldKey, FieldKeys, install_field_keys
from subgraphs.money.trusty import services
from subgraphs.money.trusty.states import ProposalStatus
from subgraphs.money.verification import verify_ledger
from tests.subgraphs.money.trusty.trusty_setup import balances, make_setup, propose, viewer

pytestmark = pytest.mark.postgres

PROPOSALS = 10
AMOUNT = 1_000
AFFORDABLE = 5


@pytest.fixture(scope="module")
async def database(create_postgres_database) -> AsyncIterator[Database]:
    url = await create_postgres_database()
    await migrate_to_head_async("money", url)
    install_field_keys(FieldKeys([FieldKey.generate()]))
    opened = open_database(url)
    yield opened
    await opened.dispose()


async def test_concurrent_approvals_execute_each_proposal_once_within_the_balance(database):
    setup = await make_setup(database, fund_hot=AFFORDABLE * AMOUNT)
    proposals = [await propose(database, setup, amount=AMOUNT) for _ in range(PROPOSALS)]

    async def approve(proposal, signer_index: int) -> str:
        signer = setup.signers[signer_index]
        signature = signer.sign(services.content_of(proposal).canonical())
        async with database.sessions() as session:
            try:
                await services.approve_proposal(
                    session, actor=viewer(signer), proposal_id=proposal.id, signature=signature
                )
                await session.commit()
            except DomainError as error:
                await session.rollback()
                return type(error).__name__
            return "ok"

    outcomes = await asyncio.gather(
        *(approve(proposal, index) for proposal in proposals for index in range(3))
    )

    async with database.sessions() as session:
        statuses = Counter([(await services.get_proposal(session, p.id)).status for p in proposals])
        report = await verify_ledger(session)
    executed = statuses[ProposalStatus.EXECUTED]
    money = await balances(database, setup)
    assert report.ok, report
    assert executed == AFFORDABLE  # every proposal could reach 2 approvals; funds allow 5
    assert money == {"hot": 0, "vault": 0, "payee": executed * AMOUNT}
    assert set(outcomes) <= {"ok", "ProposalNotOpen", "InsufficientFunds"}
