"""Trusty wallets' root mutation fields (the kernel commits once all of them succeed)."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from subgraphs.kernel.context import SubgraphContext
from subgraphs.money.trusty import services
from subgraphs.money.trusty.inputs import (
    ApproveTrustyProposalInput,
    CancelTrustyProposalInput,
    CreateTrustyWalletInput,
    ExecuteTrustyProposalInput,
    FundTrustyWalletInput,
    ProposeTrustyTransferInput,
    RegisterSignerKeyInput,
    RejectTrustyProposalInput,
)
from subgraphs.money.trusty.settings import TrustySettings
from subgraphs.money.trusty.types import SignerKey, TrustyProposal, TrustyWallet


def trusty_settings(info: Info[SubgraphContext, None]) -> TrustySettings:
    """The app's trusty settings (read from the environment when the app was created)."""
    state = info.context.request.app.state
    settings: TrustySettings | None = getattr(state, "trusty_settings", None)
    if settings is None:
        settings = TrustySettings()
        state.trusty_settings = settings
    return settings


def _optional_id(value: strawberry.ID | None) -> str | None:
    return None if value is None else str(value)


@strawberry.type
class Mutation:
    @strawberry.federation.mutation(
        authenticated=True,
        description="Register an Ed25519 public key of yours to sign trusty-wallet proposals "
        "with. A key registered before (by anyone) is CONFLICT.",
    )
    async def register_signer_key(
        self, info: Info[SubgraphContext, None], input: RegisterSignerKeyInput
    ) -> SignerKey:
        key = await services.register_signer_key(
            info.context.session,
            user_id=info.context.viewer.require_user_id(),
            public_key=input.public_key,
            label=input.label,
            contact=input.contact,
        )
        return SignerKey.from_model(key)

    @strawberry.federation.mutation(
        authenticated=True,
        description="Create an M-of-N trusty wallet (empty HOT account and VAULT) whose signers "
        "are the owners of signerKeyIds, yours among them.",
    )
    async def create_trusty_wallet(
        self, info: Info[SubgraphContext, None], input: CreateTrustyWalletInput
    ) -> TrustyWallet:
        wallet = await services.create_trusty_wallet(
            info.context.session,
            actor=info.context.viewer,
            name=input.name,
            currency=input.currency,
            threshold=input.threshold,
            signer_key_ids=[str(key_id) for key_id in input.signer_key_ids],
            settings=trusty_settings(info),
        )
        return TrustyWallet.from_model(wallet)

    @strawberry.federation.mutation(
        authenticated=True,
        description="A signer moves money from one of their wallets into the trusty wallet's "
        "HOT account or VAULT. More than the balance: CONFLICT.",
    )
    async def fund_trusty_wallet(
        self, info: Info[SubgraphContext, None], input: FundTrustyWalletInput
    ) -> TrustyWallet:
        wallet = await services.fund_trusty_wallet_once(
            info.context.session,
            actor=info.context.viewer,
            idempotency_key=input.idempotency_key,
            trusty_wallet_id=str(input.trusty_wallet_id),
            from_wallet_id=str(input.from_wallet_id),
            amount=input.amount,
            into=input.into,
        )
        return TrustyWallet.from_model(wallet)

    @strawberry.federation.mutation(
        authenticated=True,
        description="A signer proposes an outgoing transfer (PENDING). It executes when "
        "`threshold` signers approved it; from the VAULT, only after the time lock too.",
    )
    async def propose_trusty_transfer(
        self, info: Info[SubgraphContext, None], input: ProposeTrustyTransferInput
    ) -> TrustyProposal:
        proposal = await services.propose_transfer_once(
            info.context.session,
            actor=info.context.viewer,
            idempotency_key=input.idempotency_key,
            trusty_wallet_id=str(input.trusty_wallet_id),
            source=input.source,
            destination_wallet_id=_optional_id(input.destination_wallet_id),
            destination_account=input.destination_account,
            amount=input.amount,
            memo=input.memo,
            expires_in_seconds=input.expires_in_seconds,
            settings=trusty_settings(info),
        )
        return TrustyProposal.from_model(proposal)

    @strawberry.federation.mutation(
        authenticated=True,
        description="Approve a PENDING proposal with your signature over its canonicalContent. "
        "The last needed approval executes it (VAULT: starts its time lock). A bad signature is "
        "BAD_USER_INPUT, a non-signer FORBIDDEN, a second decision or a closed proposal CONFLICT.",
    )
    async def approve_trusty_proposal(
        self, info: Info[SubgraphContext, None], input: ApproveTrustyProposalInput
    ) -> TrustyProposal:
        proposal = await services.approve_proposal_once(
            info.context.session,
            actor=info.context.viewer,
            idempotency_key=input.idempotency_key,
            proposal_id=str(input.proposal_id),
            signature=input.signature,
        )
        return TrustyProposal.from_model(proposal)

    @strawberry.federation.mutation(
        authenticated=True,
        description="Reject a PENDING proposal; it is REJECTED once the remaining signers can "
        "no longer reach the threshold.",
    )
    async def reject_trusty_proposal(
        self, info: Info[SubgraphContext, None], input: RejectTrustyProposalInput
    ) -> TrustyProposal:
        proposal = await services.reject_proposal(
            info.context.session,
            actor=info.context.viewer,
            proposal_id=str(input.proposal_id),
            reason=input.reason,
        )
        return TrustyProposal.from_model(proposal)

    @strawberry.federation.mutation(
        authenticated=True,
        description="Cancel a TIME_LOCKED proposal (any signer) or your own PENDING one.",
    )
    async def cancel_trusty_proposal(
        self, info: Info[SubgraphContext, None], input: CancelTrustyProposalInput
    ) -> TrustyProposal:
        proposal = await services.cancel_proposal(
            info.context.session, actor=info.context.viewer, proposal_id=str(input.proposal_id)
        )
        return TrustyProposal.from_model(proposal)

    @strawberry.federation.mutation(
        authenticated=True,
        description="Execute a TIME_LOCKED proposal once executableAt has passed (any signer). "
        "Earlier: CONFLICT with extensions.executableAt.",
    )
    async def execute_trusty_proposal(
        self, info: Info[SubgraphContext, None], input: ExecuteTrustyProposalInput
    ) -> TrustyProposal:
        proposal = await services.execute_proposal_once(
            info.context.session,
            actor=info.context.viewer,
            idempotency_key=input.idempotency_key,
            proposal_id=str(input.proposal_id),
        )
        return TrustyProposal.from_model(proposal)
