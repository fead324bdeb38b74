"""Trusty wallets through the router: an M-of-N transfer executes on its M-th signed approval,
bad signatures and outsiders are refused, a vault withdrawal waits its time lock (and a signer
can cancel it), proposals expire.

The platform of this module runs with a 2-second vault time lock and 1-second minimum expiry
(`EHB_TRUSTY_*`, read by the money app at its first trusty request)."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any

import aiohttp
import pytest

from tests.integration.platform.client import GraphQLClient, Reply
from tests.integration.platform.servers import Platform, prepare_databases, start_platform
from tests.subgraphs.money.trusty.trusty_helpers import SignerIdentity

VAULT_DELAY_SECONDS = 2
TRUSTY_ENVIRONMENT = {
    "EHB_TRUSTY_VAULT_DELAY_SECONDS": str(VAULT_DELAY_SECONDS),
    "EHB_TRUSTY_MIN_EXPIRY_SECONDS": "1",
}

REGISTER_KEY = """
mutation ($key: String!, $label: String!) {
  registerSignerKey(input: { publicKey: $key, label: $label, contact: "desk 4" }) {
    id publicKey label contact user { id }
  }
}
"""
CREATE = """
mutation ($keys: [ID!]!, $threshold: Int!) {
  createTrustyWallet(
    input: { name: "Club treasury", currency: "EUR", threshold: $threshold, signerKeyIds: $keys }
  ) { id threshold signerCount signers { user { id } signerKey { id label } } }
}
"""
OPEN_WALLET = 'mutation { openWallet(input: { currency: "EUR" }) { id } }'
DEPOSIT = """
mutation ($wallet: ID!, $amount: Long!, $key: String!) {
  depositToWallet(input: { walletId: $wallet, amount: $amount, idempotencyKey: $key }) { id }
}
"""
FUND = """
mutation ($trusty: ID!, $from: ID!, $amount: Long!, $into: TrustyAccount!, $key: String!) {
  fundTrustyWallet(input: {
    trustyWalletId: $trusty, fromWalletId: $from, amount: $amount, into: $into, idempotencyKey: $key
  }) { hotBalance { amount currency } vaultBalance { amount currency } }
}
"""
PROPOSAL_FIELDS = """
  id status canonicalContent approvals rejections threshold timeLockSeconds
  amount { amount currency } destination { type id } expiresAt executableAt journalTransactionId
  decisions { decision signer { id } signature }
"""
PROPOSE = f"""
mutation ($trusty: ID!, $source: TrustyAccount!, $to: ID!, $amount: Long!, $expires: Int,
          $key: String!) {{
  proposeTrustyTransfer(input: {{
    trustyWalletId: $trusty, source: $source, destinationWalletId: $to, amount: $amount,
    memo: "Venue deposit", expiresInSeconds: $expires, idempotencyKey: $key
  }}) {{ {PROPOSAL_FIELDS} }}
}}
"""
APPROVE = f"""
mutation ($proposal: ID!, $signature: String!, $key: String!) {{
  approveTrustyProposal(
    input: {{ proposalId: $proposal, signature: $signature, idempotencyKey: $key }}
  ) {{ {PROPOSAL_FIELDS} }}
}}
"""
REJECT = f"""
mutation ($proposal: ID!) {{
  rejectTrustyProposal(input: {{ proposalId: $proposal, reason: "Not this month" }}) {{
    {PROPOSAL_FIELDS}
  }}
}}
"""
CANCEL = f"""
mutation ($proposal: ID!) {{
  cancelTrustyProposal(input: {{ proposalId: $proposal }}) {{ {PROPOSAL_FIELDS} }}
}}
"""
EXECUTE = f"""
mutation ($proposal: ID!, $key: String!) {{
  executeTrustyProposal(input: {{ proposalId: $proposal, idempotencyKey: $key }}) {{
    {PROPOSAL_FIELDS}
  }}
}}
"""
TRUSTY_WALLET = """
query ($id: ID!) {
  trustyWallet(id: $id) {
    hotBalance { amount } vaultBalance { amount }
    proposals { edges { node { id status } } }
  }
}
"""
WALLET_BALANCE = "query ($id: ID!) { wallet(id: $id) { balance { amount currency } } }"


@pytest.fixture(scope="module")
def trusty_environment() -> Iterator[None]:
    previous = {name: os.environ.get(name) for name in TRUSTY_ENVIRONMENT}
    os.environ.update(TRUSTY_ENVIRONMENT)
    yield
    for name, value in previous.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


@pytest.fixture(scope="module")
async def platform(
    tmp_path_factory: pytest.TempPathFactory, trusty_environment: None
) -> AsyncIterator[Platform]:
    settings = await prepare_databases(tmp_path_factory.mktemp("trusty-platform"))
    running = await start_platform(settings)
    yield running
    await running.stop()


class Member:
    """A user with an Ed25519 key pair, talking to the router with their own token."""

    def __init__(self, platform: Platform, http: aiohttp.ClientSession) -> None:
        self.identity = SignerIdentity()
        self.client = GraphQLClient(
            http, platform.graphql_url, platform.bearer(self.identity.user_id, "user")
        )
        self.key_id = ""
        self.wallet_id = ""

    @property
    def user_id(self) -> str:
        return self.identity.user_id

    async def register_key(self) -> dict[str, Any]:
        data = await self.client.query(
            REGISTER_KEY, {"key": self.identity.public_key_base64, "label": "My laptop"}
        )
        key: dict[str, Any] = data["registerSignerKey"]
        self.key_id = key["id"]
        return key

    async def open_funded_wallet(self, amount: int) -> str:
        self.wallet_id = (await self.client.query(OPEN_WALLET))["openWallet"]["id"]
        await self.client.query(
            DEPOSIT, {"wallet": self.wallet_id, "amount": amount, "key": new_key()}
        )
        return self.wallet_id

    async def approve(self, proposal: dict[str, Any], *, signature: str | None = None) -> Reply:
        return await self.client.post(
            APPROVE,
            {
                "proposal": proposal["id"],
                "signature": signature or self.identity.sign(proposal["canonicalContent"]),
                "key": new_key(),
            },
        )


def new_key() -> str:
    return str(uuid.uuid4())


def code_of(reply: Reply) -> str:
    assert reply.errors, reply.body
    code: str = reply.errors[0]["extensions"]["code"]
    return code


async def trusty_group(
    platform: Platform, http: aiohttp.ClientSession, *, hot: int = 0, vault: int = 0
) -> tuple[list[Member], str, Member]:
    """Three members with keys, a 2-of-3 EUR trusty wallet funded by the first, and a payee."""
    members = [Member(platform, http) for _ in range(3)]
    for member in members:
        await member.register_key()
    created = (
        await members[0].client.query(
            CREATE, {"keys": [member.key_id for member in members], "threshold": 2}
        )
    )["createTrustyWallet"]
    assert (created["threshold"], created["signerCount"]) == (2, 3)
    assert [signer["user"]["id"] for signer in created["signers"]] == [m.user_id for m in members]
    await members[0].open_funded_wallet(100_000)
    for into, amount in (("HOT", hot), ("VAULT", vault)):
        if amount:
            await members[0].client.query(
                FUND,
                {
                    "trusty": created["id"],
                    "from": members[0].wallet_id,
                    "amount": amount,
                    "into": into,
                    "key": new_key(),
                },
            )
    payee = Member(platform, http)
    await payee.open_funded_wallet(1)
    return members, created["id"], payee


async def propose(
    member: Member, trusty_id: str, payee: Member, *, amount: int, source: str = "HOT", **extra: Any
) -> dict[str, Any]:
    data = await member.client.query(
        PROPOSE,
        {
            "trusty": trusty_id,
            "source": source,
            "to": payee.wallet_id,
            "amount": amount,
            "expires": extra.get("expires"),
            "key": new_key(),
        },
    )
    proposal: dict[str, Any] = data["proposeTrustyTransfer"]
    return proposal


async def balance_of(member: Member) -> int:
    data = await member.client.query(WALLET_BALANCE, {"id": member.wallet_id})
    amount: int = data["wallet"]["balance"]["amount"]
    return amount


async def test_a_two_of_three_transfer_executes_on_the_second_signed_approval(platform, http):
    members, trusty_id, payee = await trusty_group(platform, http, hot=10_000)
    proposal = await propose(members[0], trusty_id, payee, amount=2_500)
    assert proposal["status"] == "PENDING"
    assert f'"proposalId":"{proposal["id"]}"' in proposal["canonicalContent"]

    first = await members[1].approve(proposal)
    assert first.data["approveTrustyProposal"]["status"] == "PENDING", first.body
    second = await members[2].approve(proposal)

    executed = second.data["approveTrustyProposal"]
    assert executed["status"] == "EXECUTED", second.body
    assert executed["approvals"] == 2
    assert executed["journalTransactionId"] is not None
    assert [d["signer"]["id"] for d in executed["decisions"]] == [
        members[1].user_id,
        members[2].user_id,
    ]
    assert await balance_of(payee) == 1 + 2_500
    wallet = (await members[0].client.query(TRUSTY_WALLET, {"id": trusty_id}))["trustyWallet"]
    assert wallet["hotBalance"] == {"amount": 7_500}
    late = await members[0].approve(proposal)
    assert code_of(late) == "CONFLICT"


async def test_bad_signatures_outsiders_and_second_approvals_are_refused(platform, http):
    members, trusty_id, payee = await trusty_group(platform, http, hot=10_000)
    proposal = await propose(members[0], trusty_id, payee, amount=1_000)

    forged = await members[1].approve(
        proposal, signature=members[2].identity.sign(proposal["canonicalContent"])
    )
    tampered = await members[1].approve(
        proposal,
        signature=members[1].identity.sign(proposal["canonicalContent"].replace("1000", "9000")),
    )
    garbage = await members[1].approve(proposal, signature="not a signature")
    outsider = Member(platform, http)
    await outsider.register_key()
    stranger = await outsider.approve(proposal)
    peek = await outsider.client.post(TRUSTY_WALLET, {"id": trusty_id})

    assert [code_of(reply) for reply in (forged, tampered, garbage)] == ["BAD_USER_INPUT"] * 3
    assert forged.errors[0]["extensions"]["field"] == "signature"
    assert "canonicalContent" in forged.errors[0]["message"]
    assert code_of(stranger) == "FORBIDDEN"
    assert code_of(peek) == "FORBIDDEN"
    assert (await members[0].approve(proposal)).data["approveTrustyProposal"]["approvals"] == 1
    again = await members[0].approve(proposal)
    assert code_of(again) == "CONFLICT"
    assert "decides once" in again.errors[0]["message"]
    assert await balance_of(payee) == 1


async def test_a_retried_approval_with_the_same_idempotency_key_applies_once(platform, http):
    members, trusty_id, payee = await trusty_group(platform, http, hot=10_000)
    proposal = await propose(members[0], trusty_id, payee, amount=1_000)
    await members[0].approve(proposal)
    variables = {
        "proposal": proposal["id"],
        "signature": members[1].identity.sign(proposal["canonicalContent"]),
        "key": new_key(),
    }

    replies = [await members[1].client.post(APPROVE, variables) for _ in range(2)]

    assert [r.data["approveTrustyProposal"]["status"] for r in replies] == ["EXECUTED"] * 2
    ids = {r.data["approveTrustyProposal"]["journalTransactionId"] for r in replies}
    assert len(ids) == 1
    assert await balance_of(payee) == 1 + 1_000


async def test_rejections_that_put_the_threshold_out_of_reach_reject_the_proposal(platform, http):
    members, trusty_id, payee = await trusty_group(platform, http, hot=10_000)
    proposal = await propose(members[0], trusty_id, payee, amount=1_000)

    one = await members[1].client.query(REJECT, {"proposal": proposal["id"]})
    two = await members[2].client.query(REJECT, {"proposal": proposal["id"]})

    assert one["rejectTrustyProposal"]["status"] == "PENDING"
    assert two["rejectTrustyProposal"]["status"] == "REJECTED"
    assert two["rejectTrustyProposal"]["rejections"] == 2
    assert code_of(await members[0].approve(proposal)) == "CONFLICT"


async def test_a_vault_withdrawal_waits_its_time_lock_and_a_signer_can_cancel_one(platform, http):
    members, trusty_id, payee = await trusty_group(platform, http, vault=20_000)
    kept = await propose(members[0], trusty_id, payee, amount=5_000, source="VAULT")
    stopped = await propose(members[0], trusty_id, payee, amount=7_000, source="VAULT")
    assert kept["timeLockSeconds"] == VAULT_DELAY_SECONDS
    for proposal in (kept, stopped):
        await members[0].approve(proposal)
        locked = (await members[1].approve(proposal)).data["approveTrustyProposal"]
        assert locked["status"] == "TIME_LOCKED"
        assert locked["executableAt"] is not None

    early = await members[2].client.post(EXECUTE, {"proposal": kept["id"], "key": new_key()})
    cancelled = await members[2].client.query(CANCEL, {"proposal": stopped["id"]})

    assert code_of(early) == "CONFLICT"
    assert "time-locked until" in early.errors[0]["message"]
    assert early.errors[0]["extensions"]["executableAt"]
    assert cancelled["cancelTrustyProposal"]["status"] == "CANCELLED"
    assert await balance_of(payee) == 1
    executable_at = datetime.fromisoformat(early.errors[0]["extensions"]["executableAt"])
    await asyncio.sleep(max(0.0, (executable_at - datetime.now(UTC)).total_seconds()) + 0.2)
    done = await members[2].client.query(EXECUTE, {"proposal": kept["id"], "key": new_key()})
    assert done["executeTrustyProposal"]["status"] == "EXECUTED"
    after_cancel = await members[2].client.post(
        EXECUTE, {"proposal": stopped["id"], "key": new_key()}
    )
    assert code_of(after_cancel) == "CONFLICT"
    assert await balance_of(payee) == 1 + 5_000
    wallet = (await members[0].client.query(TRUSTY_WALLET, {"id": trusty_id}))["trustyWallet"]
    assert wallet["vaultBalance"] == {"amount": 15_000}


async def test_an_expired_proposal_cannot_be_approved(platform, http):
    members, trusty_id, payee = await trusty_group(platform, http, hot=10_000)
    proposal = await propose(members[0], trusty_id, payee, amount=1_000, expires=1)
    expires_at = datetime.fromisoformat(proposal["expiresAt"])

    await asyncio.sleep(max(0.0, (expires_at - datetime.now(UTC)).total_seconds()) + 0.2)
    late = await members[1].approve(proposal)

    assert code_of(late) == "CONFLICT"
    assert "EXPIRED" in late.errors[0]["message"]
    wallet = (await members[0].client.query(TRUSTY_WALLET, {"id": trusty_id}))["trustyWallet"]
    assert wallet["proposals"]["edges"] == [{"node": {"id": proposal["id"], "status": "EXPIRED"}}]


async def test_signer_key_metadata_is_shown_to_its_owner_only(platform, http):
    members, trusty_id, _ = await trusty_group(platform, http)
    query = "query ($id: ID!) { trustyWallet(id: $id) { signers { signerKey { id label } } } }"

    seen_by_first = (await members[0].client.query(query, {"id": trusty_id}))["trustyWallet"]

    labels = [signer["signerKey"]["label"] for signer in seen_by_first["signers"]]
    assert labels == ["My laptop", None, None]
