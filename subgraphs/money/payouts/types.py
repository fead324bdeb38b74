"""Payouts' GraphQL types: `Payout` (an entity) is its owner's; administrators see all.
Anonymous: UNAUTHENTICATED; anyone else: FORBIDDEN. The bank account shows only its last four
digits."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.types import Info

from subgraphs.kernel.access import require_owner_or_staff
from subgraphs.kernel.context import SubgraphContext
from subgraphs.kernel.scalars import Money
from subgraphs.money.loaders import transaction_by_id, wallet_by_id
from subgraphs.money.payouts import models
from subgraphs.money.payouts.loaders import payout_by_id
from subgraphs.money.types import Transaction, User, Wallet

strawberry.enum(
    models.PayoutStatus,
    name="PayoutStatus",
    description=(
        "Where a payout is: PENDING (the provider was unreachable: retry it) -> IN_TRANSIT "
        "(accepted by the provider) -> PAID, or FAILED (refused or returned: the money is back "
        "in the wallet). PAID and FAILED are final."
    ),
)


@strawberry.type(
    description="The bank account a payout pays: its payment method, last four digits."
)
class PayoutBankAccount:
    payment_method_id: strawberry.ID
    last4: str


@strawberry.type(description="Why a payout failed, or why it waits (retryable).")
class PayoutFailure:
    code: str = strawberry.field(
        description="e.g. account_closed, payment_method_removed, provider_unavailable."
    )
    message: str
    retryable: bool = strawberry.field(
        description="True: the provider did not answer; retryPayout asks it again."
    )


@strawberry.federation.type(
    keys=["id"],
    authenticated=True,
    description=(
        "Money leaving a wallet for its owner's bank account through the payments provider "
        "(withdrawFromWallet). Its owner and administrators only."
    ),
)
class Payout:
    id: strawberry.ID
    status: models.PayoutStatus
    amount: Money
    description: str
    bank_account: PayoutBankAccount
    failure: PayoutFailure | None
    attempts: int = strawberry.field(description="How many times the provider was asked.")
    provider_reference: str | None = strawberry.field(
        description="The provider's id of the payout (its webhooks name it)."
    )
    created_at: datetime
    updated_at: datetime
    paid_at: datetime | None
    failed_at: datetime | None
    owner_id: strawberry.Private[str]
    wallet_id: strawberry.Private[str]
    debit_posting_id: strawberry.Private[str]
    reversal_posting_id: strawberry.Private[str | None]

    @strawberry.field(description="Whose money it is.")
    def owner(self) -> User:
        return User(id=strawberry.ID(self.owner_id))

    @strawberry.field(description="The wallet paid out of.")
    async def wallet(self, info: Info[SubgraphContext, None]) -> Wallet:
        wallet = await info.context.loaders.get(wallet_by_id).load(self.wallet_id)
        if wallet is None:  # the foreign key makes this impossible
            raise LookupError(f"wallet {self.wallet_id} of payout {self.id} is missing")
        return Wallet.from_model(wallet)

    @strawberry.field(description="The wallet's debit (kind WITHDRAWAL).")
    async def transaction(self, info: Info[SubgraphContext, None]) -> Transaction:
        posting = await info.context.loaders.get(transaction_by_id).load(self.debit_posting_id)
        if posting is None:
            raise LookupError(f"posting {self.debit_posting_id} of payout {self.id} is missing")
        return Transaction.from_model(posting)

    @strawberry.field(description="FAILED: the wallet's credit returning the money.")
    async def reversal_transaction(self, info: Info[SubgraphContext, None]) -> Transaction | None:
        if self.reversal_posting_id is None:
            return None
        posting = await info.context.loaders.get(transaction_by_id).load(self.reversal_posting_id)
        return None if posting is None else Transaction.from_model(posting)

    @classmethod
    def from_model(cls, payout: models.Payout) -> Payout:
        failure = (
            PayoutFailure(
                code=payout.failure_code,
                message=payout.failure_message or "",
                retryable=payout.retryable,
            )
            if payout.failure_code
            else None
        )
        return cls(
            id=strawberry.ID(payout.id),
            status=payout.status,
            amount=Money.of(payout.amount, payout.currency),
            description=payout.description,
            bank_account=PayoutBankAccount(
                payment_method_id=strawberry.ID(payout.method_id), last4=payout.last4
            ),
            failure=failure,
            attempts=payout.attempts,
            provider_reference=payout.provider_reference,
            created_at=payout.created_at,
            updated_at=payout.updated_at,
            paid_at=payout.paid_at,
            failed_at=payout.failed_at,
            owner_id=payout.owner_id,
            wallet_id=payout.wallet_id,
            debit_posting_id=payout.debit_posting_id,
            reversal_posting_id=payout.reversal_posting_id,
        )

    @classmethod
    async def resolve_reference(
        cls, info: Info[SubgraphContext, None], id: strawberry.ID
    ) -> Payout | None:
        payout = await info.context.loaders.get(payout_by_id).load(str(id))
        if payout is None:
            return None
        require_owner_or_staff(info.context.viewer, payout.owner_id, what=f"payout {payout.id}")
        return cls.from_model(payout)
