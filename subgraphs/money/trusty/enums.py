"""The state machine's enums registered as GraphQL enums (one definition each)."""

from __future__ import annotations

import strawberry

from subgraphs.money.trusty.states import (
    Decision,
    DestinationType,
    ProposalStatus,
    TrustyAccount,
)

TrustyAccountEnum = strawberry.enum(
    TrustyAccount,
    name="TrustyAccount",
    description="A trusty wallet's two accounts: HOT, and the cold-storage VAULT.",
)
TrustyDestinationTypeEnum = strawberry.enum(
    DestinationType,
    name="TrustyDestinationType",
    description="Where a proposal sends money: a money WALLET, or the trusty wallet's own "
    "TRUSTY_HOT / TRUSTY_VAULT account.",
)
TrustyProposalStatusEnum = strawberry.enum(
    ProposalStatus,
    name="TrustyProposalStatus",
    description="PENDING collects approvals until expiresAt; TIME_LOCKED waits executableAt "
    "(vault withdrawals); EXECUTED, REJECTED, EXPIRED and CANCELLED are final.",
)
TrustyDecisionEnum = strawberry.enum(
    Decision, name="TrustyDecision", description="A signer's decision on a proposal."
)
