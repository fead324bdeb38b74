"""Trusty wallets' GraphQL types. Signers and administrators see a trusty wallet and its
proposals (anyone else: FORBIDDEN); a signer key's encrypted metadata (label, contact) is shown
to its owner only (null for everyone else)."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.types import Info

from subgraphs.kernel.context import SubgraphContext
from subgraphs.kernel.loaders import PageKey
from subgraphs.kernel.pagination import Connection
from subgraphs.kernel.scalars import Money
from subgraphs.money.trusty import (
    enums,  # noqa: F401  (registers the GraphQL enums)
    models,
)
from subgraphs.money.trusty.loaders import (
    account_by_id,
    decisions_by_proposal_id,
    proposals_page_by_trusty_wallet_id,
    signer_key_by_id,
    signers_by_trusty_wallet_id,
    trusty_wallet_by_id,
)
from subgraphs.money.trusty.services import content_of, status_of
from subgraphs.money.trusty.states import (
    Decision,
    DestinationType,
    ProposalStatus,
    TrustyAccount,
)
from subgraphs.money.types import User


def _user(user_id: str) -> User:
    return User(id=strawberry.ID(user_id))


@strawberry.type(description="An Ed25519 public key a user signs trusty-wallet proposals with.")
class SignerKey:
    id: strawberry.ID
    public_key: str = strawberry.field(description="Raw 32 bytes, unpadded base64url.")
    created_at: datetime
    user_id: strawberry.Private[str]
    stored_label: strawberry.Private[str]
    stored_contact: strawberry.Private[str | None]

    @strawberry.field(description="Whose key it is.")
    def user(self) -> User:
        return _user(self.user_id)

    @strawberry.field(description="The owner's label (encrypted at rest); null for others.")
    def label(self, info: Info[SubgraphContext, None]) -> str | None:
        return self.stored_label if info.context.viewer.user_id == self.user_id else None

    @strawberry.field(description="The owner's contact note (encrypted at rest); null for others.")
    def contact(self, info: Info[SubgraphContext, None]) -> str | None:
        return self.stored_contact if info.context.viewer.user_id == self.user_id else None

    @classmethod
    def from_model(cls, key: models.SignerKey) -> SignerKey:
        return cls(
            id=strawberry.ID(key.id),
            public_key=key.public_key,
            created_at=key.created_at,
            user_id=key.user_id,
            stored_label=key.label,
            stored_contact=key.contact,
        )


@strawberry.type(description="One of a trusty wallet's N signers.")
class TrustySigner:
    user_id: strawberry.Private[str]
    signer_key_id: strawberry.Private[str]

    @strawberry.field
    def user(self) -> User:
        return _user(self.user_id)

    @strawberry.field(description="The key this signer approves with.")
    async def signer_key(self, info: Info[SubgraphContext, None]) -> SignerKey:
        key = await info.context.loaders.get(signer_key_by_id).load(self.signer_key_id)
        if key is None:  # the foreign key makes this impossible
            raise LookupError(f"signer key {self.signer_key_id} is missing")
        return SignerKey.from_model(key)


@strawberry.type(description="A signer's recorded decision on a proposal.")
class TrustyDecisionRecord:
    decision: Decision
    signature: str | None = strawberry.field(
        description="APPROVE: the Ed25519 signature over canonicalContent, unpadded base64url."
    )
    reason: str | None
    created_at: datetime
    user_id: strawberry.Private[str]
    signer_key_id: strawberry.ID

    @strawberry.field
    def signer(self) -> User:
        return _user(self.user_id)

    @classmethod
    def from_model(cls, decision: models.ProposalDecision) -> TrustyDecisionRecord:
        return cls(
            decision=decision.decision,
            signature=decision.signature,
            reason=decision.reason,
            created_at=decision.created_at,
            user_id=decision.user_id,
            signer_key_id=strawberry.ID(decision.signer_key_id),
        )


@strawberry.type(description="Where a proposal sends money.")
class TrustyDestination:
    type: DestinationType
    id: strawberry.ID = strawberry.field(
        description="The money wallet's id (WALLET) or the trusty wallet's (TRUSTY_HOT/VAULT)."
    )


@strawberry.type(
    description="A proposed outgoing transfer of a trusty wallet: it executes once `threshold` "
    "signers approved it with a signature over `canonicalContent` (vault withdrawals: after the "
    "time lock as well)."
)
class TrustyProposal:
    id: strawberry.ID
    trusty_wallet_id: strawberry.ID
    source: TrustyAccount
    destination: TrustyDestination
    amount: Money
    memo: str
    threshold: int
    time_lock_seconds: int = strawberry.field(
        description="Delay between the last needed approval and execution (vault: the setting "
        "when proposed; hot: 0)."
    )
    created_at: datetime
    expires_at: datetime = strawberry.field(description="Approvals are accepted until then.")
    approved_at: datetime | None
    executable_at: datetime | None = strawberry.field(
        description="TIME_LOCKED: when executeTrustyProposal may run it."
    )
    executed_at: datetime | None
    closed_at: datetime | None = strawberry.field(description="When it was rejected or cancelled.")
    journal_transaction_id: strawberry.ID | None = strawberry.field(
        description="EXECUTED: the ledger's journal transaction."
    )
    proposed_by_id: strawberry.Private[str]
    model: strawberry.Private[models.Proposal]

    @strawberry.field(
        description="The effective status (a PENDING proposal past expiresAt is EXPIRED)."
    )
    def status(self) -> ProposalStatus:
        return status_of(self.model)

    @strawberry.field(
        description="What signers sign: this exact string's UTF-8 bytes (canonical JSON, keys "
        "sorted, no whitespace; docs/money.md)."
    )
    def canonical_content(self) -> str:
        return content_of(self.model).canonical().decode("utf-8")

    @strawberry.field
    def proposed_by(self) -> User:
        return _user(self.proposed_by_id)

    @strawberry.field(description="Every signer's decision so far, oldest first.")
    async def decisions(self, info: Info[SubgraphContext, None]) -> list[TrustyDecisionRecord]:
        rows = await info.context.loaders.get(decisions_by_proposal_id).load(str(self.id))
        return [TrustyDecisionRecord.from_model(row) for row in rows]

    @strawberry.field
    async def approvals(self, info: Info[SubgraphContext, None]) -> int:
        rows = await info.context.loaders.get(decisions_by_proposal_id).load(str(self.id))
        return sum(1 for row in rows if row.decision is Decision.APPROVE)

    @strawberry.field
    async def rejections(self, info: Info[SubgraphContext, None]) -> int:
        rows = await info.context.loaders.get(decisions_by_proposal_id).load(str(self.id))
        return sum(1 for row in rows if row.decision is Decision.REJECT)

    @strawberry.field
    async def trusty_wallet(self, info: Info[SubgraphContext, None]) -> TrustyWallet:
        wallet = await info.context.loaders.get(trusty_wallet_by_id).load(
            str(self.trusty_wallet_id)
        )
        if wallet is None:  # the foreign key makes this impossible
            raise LookupError(f"trusty wallet {self.trusty_wallet_id} is missing")
        return TrustyWallet.from_model(wallet)

    @classmethod
    def from_model(cls, proposal: models.Proposal) -> TrustyProposal:
        return cls(
            id=strawberry.ID(proposal.id),
            trusty_wallet_id=strawberry.ID(proposal.trusty_wallet_id),
            source=proposal.source,
            destination=TrustyDestination(
                type=proposal.destination_type, id=strawberry.ID(proposal.destination_id)
            ),
            amount=Money.of(proposal.amount, proposal.currency),
            memo=proposal.memo,
            threshold=proposal.threshold,
            time_lock_seconds=proposal.time_lock_seconds,
            created_at=proposal.created_at,
            expires_at=proposal.expires_at,
            approved_at=proposal.approved_at,
            executable_at=proposal.executable_at,
            executed_at=proposal.executed_at,
            closed_at=proposal.closed_at,
            journal_transaction_id=(
                None
                if proposal.journal_transaction_id is None
                else strawberry.ID(proposal.journal_transaction_id)
            ),
            proposed_by_id=proposal.proposed_by,
            model=proposal,
        )


@strawberry.type(
    description="An M-of-N multi-signature wallet: a HOT account and a cold-storage VAULT whose "
    "outgoing transfers need `threshold` signers' approval. Signers and administrators see it."
)
class TrustyWallet:
    id: strawberry.ID
    name: str
    currency: str
    threshold: int = strawberry.field(description="M: approvals a transfer needs.")
    created_at: datetime
    created_by_id: strawberry.Private[str]
    hot_account_id: strawberry.Private[str]
    vault_account_id: strawberry.Private[str]

    async def _balance(self, info: Info[SubgraphContext, None], account_id: str) -> Money:
        account = await info.context.loaders.get(account_by_id).load(account_id)
        if account is None:  # the foreign key makes this impossible
            raise LookupError(f"account {account_id} of trusty wallet {self.id} is missing")
        return Money.of(account.balance, self.currency)

    @strawberry.field(description="What the HOT account holds.")
    async def hot_balance(self, info: Info[SubgraphContext, None]) -> Money:
        return await self._balance(info, self.hot_account_id)

    @strawberry.field(description="What the cold-storage VAULT holds.")
    async def vault_balance(self, info: Info[SubgraphContext, None]) -> Money:
        return await self._balance(info, self.vault_account_id)

    @strawberry.field
    def created_by(self) -> User:
        return _user(self.created_by_id)

    @strawberry.field(description="The N signers, in the order they were given.")
    async def signers(self, info: Info[SubgraphContext, None]) -> list[TrustySigner]:
        rows = await info.context.loaders.get(signers_by_trusty_wallet_id).load(str(self.id))
        return [TrustySigner(user_id=row.user_id, signer_key_id=row.signer_key_id) for row in rows]

    @strawberry.field(description="N: how many signers there are.")
    async def signer_count(self, info: Info[SubgraphContext, None]) -> int:
        rows = await info.context.loaders.get(signers_by_trusty_wallet_id).load(str(self.id))
        return len(rows)

    @strawberry.field(description="Its proposals, newest first, optionally of one status.")
    async def proposals(
        self,
        info: Info[SubgraphContext, None],
        status: ProposalStatus | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[TrustyProposal]:
        key = PageKey(parent_id=str(self.id), first=first, after=after, scope=status)
        page = await info.context.loaders.get(proposals_page_by_trusty_wallet_id).load(key)
        return Connection.from_page(page, TrustyProposal.from_model)

    @classmethod
    def from_model(cls, wallet: models.TrustyWallet) -> TrustyWallet:
        return cls(
            id=strawberry.ID(wallet.id),
            name=wallet.name,
            currency=wallet.currency,
            threshold=wallet.threshold,
            created_at=wallet.created_at,
            created_by_id=wallet.created_by,
            hot_account_id=wallet.hot_account_id,
            vault_account_id=wallet.vault_account_id,
        )
