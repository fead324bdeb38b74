"""Trusty wallets' services on a migrated SQLite database: signer keys, M-of-N approval with
Ed25519 signatures, rejection, expiry, the vault's time lock and idempotent retries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, text

from subgraphs.kernel.context import Viewer
from subgraphs.kernel.errors import BadUserInput, Conflict, DomainError, Forbidden
from subgraphs.money.errors import InsufficientFunds
from subgraphs.money.idempotency import IdempotencyConflict
from subgraphs.money.models import Outbox
from subgraphs.money.services import open_wallet
from subgraphs.money.trusty import services
from subgraphs.money.trusty.errors import (
    AlreadyDecided,
    InvalidPublicKey,
    InvalidSignature,
    InvalidSignerSet,
    InvalidThreshold,
    NotASigner,
    NotTimeLocked,
    OnlyProposerCancelsPending,
    ProposalNotOpen,
    SignerKeyAlreadyRegistered,
    StillTimeLocked,
)
from subgraphs.money.trusty.models import ProposalDecision, SignerKey
from subgraphs.money.trusty.states import ProposalStatus, TrustyAccount
from subgraphs.money.verification import verify_ledger
from tests.subgraphs.money.trusty.trusty_helpers import SignerIdentity
from tests.subgraphs.money.trusty.trusty_setup import (
    SETTINGS,
    approve,
    balances,
    make_setup,
    propose,
    viewer,
)


async def test_signer_keys_are_normalised_unique_and_their_metadata_encrypted(database):
    signer = SignerIdentity()
    async with database.sessions() as session:
        key = await services.register_signer_key(
            session,
            user_id=signer.user_id,
            public_key=signer.public_key_pem,
            label="Hardware key",
            contact="call +41 79 000 00 00",
        )
        await session.commit()
        raw = (
            await session.execute(
                text("SELECT label, contact FROM money_trusty_signer_keys WHERE id = :id"),
                {"id": key.id},
            )
        ).one()

    assert key.public_key == signer.public_key_base64.rstrip("=").replace("+", "-").replace(
        "/", "_"
    )
    assert raw.label.startswith("v1.") and "Hardware" not in raw.label
    assert raw.contact.startswith("v1.") and "+41" not in raw.contact
    async with database.sessions() as session:
        loaded = await session.get(SignerKey, key.id)
        assert (loaded.label, loaded.contact) == ("Hardware key", "call +41 79 000 00 00")
        with pytest.raises(SignerKeyAlreadyRegistered):
            await services.register_signer_key(
                session,
                user_id=SignerIdentity().user_id,
                public_key=signer.public_key_base64,
                label="Copy",
                contact=None,
            )


@pytest.mark.parametrize(
    "public_key",
    ["not base64!", "AAAA", "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----"],
)
async def test_a_malformed_public_key_is_bad_user_input(database, public_key):
    async with database.sessions() as session:
        with pytest.raises(InvalidPublicKey) as raised:
            await services.register_signer_key(
                session,
                user_id=SignerIdentity().user_id,
                public_key=public_key,
                label="x",
                contact=None,
            )
    assert raised.value.extensions == {"code": "BAD_USER_INPUT", "field": "publicKey"}


async def test_creating_a_wallet_checks_threshold_and_signers(database):
    setup = await make_setup(database)
    async with database.sessions() as session:
        create = lambda **overrides: services.create_trusty_wallet(  # noqa: E731
            session,
            actor=overrides.pop("actor", viewer(setup.signers[0])),
            name="W",
            currency="EUR",
            threshold=overrides.pop("threshold", 2),
            signer_key_ids=overrides.pop("signer_key_ids", setup.key_ids),
            settings=SETTINGS,
        )
        with pytest.raises(InvalidThreshold):
            await create(threshold=4)
        with pytest.raises(InvalidThreshold):
            await create(threshold=0)
        with pytest.raises(InvalidSignerSet, match="creator"):
            await create(actor=Viewer(user_id=SignerIdentity().user_id))
        with pytest.raises(InvalidSignerSet, match="twice"):
            await create(signer_key_ids=[setup.key_ids[0], setup.key_ids[0]])
        with pytest.raises(DomainError) as missing:
            await create(signer_key_ids=[setup.key_ids[0], "00000000-0000-4000-8000-000000000000"])
        assert missing.value.extensions["code"] == "NOT_FOUND"


async def test_a_hot_transfer_executes_on_the_mth_valid_approval(database):
    setup = await make_setup(database, fund_hot=5_000)
    proposal = await propose(database, setup, amount=1_500)

    first = await approve(database, setup, proposal, 0)
    assert first.status is ProposalStatus.PENDING
    assert (await balances(database, setup))["hot"] == 5_000

    second = await approve(database, setup, proposal, 2)

    assert second.status is ProposalStatus.EXECUTED
    assert second.journal_transaction_id is not None
    assert await balances(database, setup) == {"hot": 3_500, "vault": 0, "payee": 1_500}
    async with database.sessions() as session:
        types = list(
            await session.scalars(
                select(Outbox.type)
                .where(Outbox.payload["proposalId"].as_string() == proposal.id)
                .order_by(Outbox.position)
            )
        )
    assert types == [
        "money.trusty.proposal.created",
        "money.trusty.proposal.approved",
        "money.trusty.proposal.approved",
        "money.trusty.proposal.executed",
    ]


async def test_bad_signatures_non_signers_and_second_decisions_are_refused(database):
    setup = await make_setup(database, fund_hot=5_000)
    proposal = await propose(database, setup)
    other = await propose(database, setup, amount=2_000)
    content = services.content_of(proposal).canonical()

    with pytest.raises(InvalidSignature):  # signed by another signer's key
        await approve(database, setup, proposal, 1, signature=setup.signers[2].sign(content))
    with pytest.raises(InvalidSignature):  # a signature over another proposal
        await approve(
            database,
            setup,
            proposal,
            1,
            signature=setup.signers[1].sign(services.content_of(other).canonical()),
        )
    with pytest.raises(InvalidSignature, match="64 bytes"):
        await approve(database, setup, proposal, 1, signature="c2hvcnQ=")
    with pytest.raises(InvalidSignature, match="base64"):
        await approve(database, setup, proposal, 1, signature="%%%")
    outsider = SignerIdentity()
    async with database.sessions() as session:
        with pytest.raises(NotASigner):
            await services.approve_proposal(
                session,
                actor=viewer(outsider),
                proposal_id=proposal.id,
                signature=outsider.sign(content),
            )
        with pytest.raises(NotASigner):  # administrators read but never sign
            await services.approve_proposal(
                session,
                actor=viewer(outsider, "admin"),
                proposal_id=proposal.id,
                signature=outsider.sign(content),
            )
    await approve(database, setup, proposal, 1)
    with pytest.raises(AlreadyDecided):
        await approve(database, setup, proposal, 1)
    async with database.sessions() as session:
        count = await session.scalar(
            select(func.count())
            .select_from(ProposalDecision)
            .where(ProposalDecision.proposal_id == proposal.id)
        )
    assert count == 1
    assert isinstance(InvalidSignature("x"), BadUserInput)
    assert isinstance(NotASigner("x"), Forbidden)
    assert isinstance(AlreadyDecided("p", "APPROVE"), Conflict)


async def test_a_proposal_is_rejected_once_the_threshold_is_out_of_reach(database):
    setup = await make_setup(database, fund_hot=5_000)
    proposal = await propose(database, setup)

    async with database.sessions() as session:
        after_one = await services.reject_proposal(
            session, actor=viewer(setup.signers[1]), proposal_id=proposal.id, reason="Too much"
        )
        await session.commit()
    assert after_one.status is ProposalStatus.PENDING  # 2 of the 2 others may still approve
    async with database.sessions() as session:
        after_two = await services.reject_proposal(
            session, actor=viewer(setup.signers[2]), proposal_id=proposal.id, reason=None
        )
        await session.commit()

    assert after_two.status is ProposalStatus.REJECTED
    with pytest.raises(ProposalNotOpen, match="REJECTED"):
        await approve(database, setup, proposal, 0)
    assert (await balances(database, setup))["payee"] == 0


async def test_an_expired_proposal_takes_no_more_approvals(database):
    setup = await make_setup(database, fund_hot=5_000)
    proposal = await propose(database, setup, expires_in_seconds=60)
    later = proposal.expires_at + timedelta(seconds=1)

    await approve(database, setup, proposal, 0, now=proposal.expires_at - timedelta(seconds=1))
    with pytest.raises(ProposalNotOpen, match="EXPIRED"):
        await approve(database, setup, proposal, 1, now=later)

    assert services.status_of(proposal, later) is ProposalStatus.EXPIRED
    async with database.sessions() as session:
        expired = await services.list_proposals(
            session,
            trusty_wallet_id=setup.trusty_wallet_id,
            status=ProposalStatus.EXPIRED,
            first=10,
            after=None,
            now=later,
        )
        pending = await services.list_proposals(
            session,
            trusty_wallet_id=setup.trusty_wallet_id,
            status=ProposalStatus.PENDING,
            first=10,
            after=None,
            now=later,
        )
    assert [row.id for _, row in expired.rows] == [proposal.id]
    assert pending.rows == []
    with pytest.raises(DomainError, match="expiresInSeconds"):
        await propose(database, setup, expires_in_seconds=59)


async def test_a_vault_withdrawal_waits_its_time_lock_then_executes(database):
    setup = await make_setup(database, fund_vault=10_000)
    proposal = await propose(database, setup, amount=4_000, source=TrustyAccount.VAULT)
    assert proposal.time_lock_seconds == 3600
    approved_at = datetime.now(UTC)

    await approve(database, setup, proposal, 0)
    locked = await approve(database, setup, proposal, 1, now=approved_at)

    assert locked.status is ProposalStatus.TIME_LOCKED
    assert locked.executable_at == approved_at + timedelta(seconds=3600)
    assert (await balances(database, setup))["vault"] == 10_000
    async with database.sessions() as session:
        with pytest.raises(StillTimeLocked) as early:
            await services.execute_proposal(
                session,
                actor=viewer(setup.signers[2]),
                proposal_id=proposal.id,
                now=approved_at + timedelta(seconds=3599),
            )
    assert early.value.extensions["executableAt"] == locked.executable_at.isoformat()
    async with database.sessions() as session:
        done = await services.execute_proposal(
            session,
            actor=viewer(setup.signers[2]),
            proposal_id=proposal.id,
            now=approved_at + timedelta(seconds=3600),
        )
        await session.commit()
    assert done.status is ProposalStatus.EXECUTED
    assert await balances(database, setup) == {"hot": 0, "vault": 6_000, "payee": 4_000}
    async with database.sessions() as session:
        assert (await verify_ledger(session)).ok


async def test_any_signer_cancels_a_time_locked_withdrawal(database):
    setup = await make_setup(database, fund_vault=10_000)
    proposal = await propose(database, setup, amount=4_000, source=TrustyAccount.VAULT)
    await approve(database, setup, proposal, 0)
    await approve(database, setup, proposal, 1)

    async with database.sessions() as session:
        cancelled = await services.cancel_proposal(
            session, actor=viewer(setup.signers[2]), proposal_id=proposal.id
        )
        await session.commit()

    assert cancelled.status is ProposalStatus.CANCELLED
    assert cancelled.closed_by == setup.signers[2].user_id
    async with database.sessions() as session:
        with pytest.raises(NotTimeLocked):
            await services.execute_proposal(
                session,
                actor=viewer(setup.signers[0]),
                proposal_id=proposal.id,
                now=datetime.now(UTC) + timedelta(days=1),
            )
    assert (await balances(database, setup))["vault"] == 10_000


async def test_only_the_proposer_cancels_a_pending_proposal(database):
    setup = await make_setup(database, fund_hot=1_000)
    proposal = await propose(database, setup)

    async with database.sessions() as session:
        with pytest.raises(OnlyProposerCancelsPending):
            await services.cancel_proposal(
                session, actor=viewer(setup.signers[1]), proposal_id=proposal.id
            )
        cancelled = await services.cancel_proposal(
            session, actor=viewer(setup.signers[0]), proposal_id=proposal.id
        )
    assert cancelled.status is ProposalStatus.CANCELLED


async def test_moving_hot_money_into_the_vault_needs_no_time_lock(database):
    setup = await make_setup(database, fund_hot=3_000)
    proposal = await propose(
        database,
        setup,
        amount=3_000,
        destination_wallet_id=None,
        destination_account=TrustyAccount.VAULT,
    )
    await approve(database, setup, proposal, 0)
    done = await approve(database, setup, proposal, 1)

    assert done.status is ProposalStatus.EXECUTED
    assert await balances(database, setup) == {"hot": 0, "vault": 3_000, "payee": 0}


async def test_a_short_balance_refuses_the_last_approval_and_records_nothing(database):
    setup = await make_setup(database, fund_hot=500)
    proposal = await propose(database, setup, amount=1_000)
    await approve(database, setup, proposal, 0)

    with pytest.raises(InsufficientFunds):
        await approve(database, setup, proposal, 1)

    async with database.sessions() as session:
        decisions = await services.decisions_of(session, proposal.id)
        again = await services.get_proposal(session, proposal.id)
    assert len(decisions) == 1
    assert again.status is ProposalStatus.PENDING


async def test_an_approval_retried_with_its_idempotency_key_is_applied_once(database):
    setup = await make_setup(database, fund_hot=5_000)
    proposal = await propose(database, setup, amount=1_000)
    await approve(database, setup, proposal, 0)
    signer = setup.signers[1]
    signature = signer.sign(services.content_of(proposal).canonical())

    results = []
    for _ in range(2):
        async with database.sessions() as session:
            results.append(
                await services.approve_proposal_once(
                    session,
                    actor=viewer(signer),
                    idempotency_key="approve-1",
                    proposal_id=proposal.id,
                    signature=signature,
                )
            )
            await session.commit()

    assert [result.status for result in results] == [ProposalStatus.EXECUTED] * 2
    assert (await balances(database, setup))["payee"] == 1_000
    async with database.sessions() as session:
        with pytest.raises(IdempotencyConflict):
            await services.approve_proposal_once(
                session,
                actor=viewer(signer),
                idempotency_key="approve-1",
                proposal_id=proposal.id,
                signature=signature[:-4] + "AAA=",
            )


async def test_the_canonical_content_is_the_documented_sorted_json(database):
    setup = await make_setup(database)
    proposal = await propose(database, setup, amount=1_500)

    content = services.content_of(proposal).canonical().decode()

    created = proposal.created_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    expires = proposal.expires_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    assert content == (
        '{"amount":1500,"createdAt":"' + created + '","currency":"EUR",'
        '"destination":{"id":"' + setup.payee_wallet_id + '","type":"WALLET"},'
        '"expiresAt":"' + expires + '","memo":"Rent","proposalId":"' + proposal.id + '",'
        '"source":"HOT","threshold":2,"timeLockSeconds":0,'
        '"trustyWalletId":"' + setup.trusty_wallet_id + '","type":"ehb.trusty.transfer.v1"}'
    )
    async with database.sessions() as session:  # the same bytes after a round trip
        reloaded = await services.get_proposal(session, proposal.id)
        assert services.content_of(reloaded).canonical().decode() == content


async def test_proposal_pages_of_several_wallets_come_from_one_call_filtered_by_status(database):
    first_setup = await make_setup(database, fund_hot=5_000)
    second_setup = await make_setup(database, fund_hot=5_000)
    executed = await propose(database, first_setup, amount=100)
    await approve(database, first_setup, executed, 0)
    await approve(database, first_setup, executed, 1)
    pending = [await propose(database, first_setup, amount=200) for _ in range(2)]
    other = await propose(database, second_setup, amount=300)

    async with database.sessions() as session:
        pages = await services.list_proposals_of_wallets(
            session,
            trusty_wallet_ids=[first_setup.trusty_wallet_id, second_setup.trusty_wallet_id],
            status=ProposalStatus.PENDING,
            first=1,
            after=None,
        )
        everything = await services.list_proposals_of_wallets(
            session,
            trusty_wallet_ids=[first_setup.trusty_wallet_id],
            status=None,
            first=10,
            after=None,
        )

    first_page = pages[first_setup.trusty_wallet_id]
    assert [row.id for _, row in first_page.rows] == [pending[1].id]  # newest first
    assert first_page.has_next_page
    assert [row.id for _, row in pages[second_setup.trusty_wallet_id].rows] == [other.id]
    assert [row.id for _, row in everything[first_setup.trusty_wallet_id].rows] == [
        pending[1].id,
        pending[0].id,
        executed.id,
    ]


async def test_funding_takes_money_only_from_the_signers_own_wallet_in_the_currency(database):
    setup = await make_setup(database)
    async with database.sessions() as session:
        usd = await open_wallet(session, owner_id=setup.signers[0].user_id, currency="USD")
        await session.commit()

    async def fund(signer_index: int, from_wallet_id: str, amount: int = 100):
        async with database.sessions() as session:
            return await services.fund_trusty_wallet(
                session,
                actor=viewer(setup.signers[signer_index]),
                trusty_wallet_id=setup.trusty_wallet_id,
                from_wallet_id=from_wallet_id,
                amount=amount,
                into=TrustyAccount.HOT,
            )

    with pytest.raises(Forbidden) as someone_elses:
        await fund(1, setup.payer_wallet_id)
    with pytest.raises(BadUserInput) as other_currency:
        await fund(0, usd.id)
    with pytest.raises(InsufficientFunds):
        await fund(0, setup.payer_wallet_id, amount=100_001)
    with pytest.raises(NotASigner):
        async with database.sessions() as session:
            await services.fund_trusty_wallet(
                session,
                actor=viewer(SignerIdentity()),
                trusty_wallet_id=setup.trusty_wallet_id,
                from_wallet_id=setup.payee_wallet_id,
                amount=1,
                into=TrustyAccount.VAULT,
            )
    assert someone_elses.value.extensions["field"] == "fromWalletId"
    assert other_currency.value.extensions["field"] == "fromWalletId"
    assert (await balances(database, setup))["hot"] == 0
