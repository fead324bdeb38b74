"""money's GraphQL types. `Wallet` and `Transaction` are owned here and resolved by reference
through loaders; `User` (owned by identity) is extended with `wallets`.

Access (issue 4): wallets and transactions are their owner's. Both types are `@authenticated`,
and every way in (`Query.wallet`, `Query.transaction`, `User.wallets`, entity references) checks
ownership here too, so a direct call that bypasses the router is refused the same way:
anonymous is UNAUTHENTICATED, another user's wallet is FORBIDDEN (wallet ids are random UUIDs;
saying "not yours" reveals nothing a caller could not guess), administrators see every wallet."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.types import Info

from subgraphs.kernel.access import ADMIN, is_staff, require_owner_or_staff
from subgraphs.kernel.context import SubgraphContext, Viewer
from subgraphs.kernel.loaders import PageKey
from subgraphs.kernel.pagination import Connection
from subgraphs.kernel.scalars import Money
from subgraphs.money import models
from subgraphs.money.loaders import (
    transaction_by_id,
    transactions_page_by_wallet_id,
    wallet_by_id,
    wallets_by_owner_id,
)

# The domain enums are the GraphQL enums; registering them keeps one definition.
strawberry.enum(
    models.WalletStatus, name="WalletStatus", description="Whether a wallet moves money."
)
strawberry.enum(
    models.TransactionKind,
    name="TransactionKind",
    description="Which way a transaction moved money: DEPOSIT and TRANSFER_IN add to the balance.",
)


def check_wallet(viewer: Viewer, wallet: models.Wallet) -> None:
    """UNAUTHENTICATED when anonymous, FORBIDDEN unless the viewer owns `wallet` or is admin."""
    require_owner_or_staff(viewer, wallet.owner_id, what=f"wallet {wallet.id}")


@strawberry.federation.type(keys=["id"])
class User:
    id: strawberry.ID

    @strawberry.federation.field(
        authenticated=True,
        description=(
            "The user's wallets, oldest first (at most one per currency). Only the user "
            "themself and administrators: anyone else gets null and FORBIDDEN."
        ),
    )
    async def wallets(self, info: Info[SubgraphContext, None]) -> list[Wallet] | None:
        require_owner_or_staff(info.context.viewer, str(self.id), what="this user's wallets")
        rows = await info.context.loaders.get(wallets_by_owner_id).load(str(self.id))
        return [Wallet.from_model(row) for row in rows]


@strawberry.federation.type(
    keys=["id"],
    authenticated=True,
    description=(
        "A user's balance in one currency. Only its owner and administrators see it "
        "(anyone else: FORBIDDEN)."
    ),
)
class Wallet:
    id: strawberry.ID
    currency: str = strawberry.field(description="ISO 4217 code of everything in this wallet.")
    balance: Money = strawberry.field(description="The sum of the wallet's transactions.")
    status: models.WalletStatus
    created_at: datetime
    owner_id: strawberry.Private[str]

    @strawberry.field(description="Who owns the wallet.")
    def owner(self) -> User:
        return User(id=strawberry.ID(self.owner_id))

    @strawberry.field(description="The wallet's transactions, newest first.")
    async def transactions(
        self,
        info: Info[SubgraphContext, None],
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Transaction]:
        key = PageKey(parent_id=str(self.id), first=first, after=after)
        page = await info.context.loaders.get(transactions_page_by_wallet_id).load(key)
        return Connection.from_page(page, Transaction.from_model)

    @classmethod
    def from_model(cls, wallet: models.Wallet) -> Wallet:
        return cls(
            id=strawberry.ID(wallet.id),
            currency=wallet.currency,
            balance=Money.of(wallet.balance, wallet.currency),
            status=wallet.status,
            created_at=wallet.created_at,
            owner_id=wallet.owner_id,
        )

    @classmethod
    async def resolve_reference(
        cls, info: Info[SubgraphContext, None], id: strawberry.ID
    ) -> Wallet | None:
        wallet = await info.context.loaders.get(wallet_by_id).load(str(id))
        if wallet is None:
            return None
        check_wallet(info.context.viewer, wallet)
        return cls.from_model(wallet)


@strawberry.federation.type(
    keys=["id"],
    authenticated=True,
    description=(
        "One movement of money in a wallet. Only the wallet's owner and administrators see it "
        "(anyone else: FORBIDDEN)."
    ),
)
class Transaction:
    id: strawberry.ID
    kind: models.TransactionKind
    amount: Money = strawberry.field(description="Always positive; `kind` gives the direction.")
    description: str
    created_at: datetime
    wallet_id: strawberry.Private[str]

    @strawberry.field(description="The wallet this transaction belongs to.")
    async def wallet(self, info: Info[SubgraphContext, None]) -> Wallet:
        wallet = await info.context.loaders.get(wallet_by_id).load(self.wallet_id)
        if wallet is None:  # the foreign key makes this impossible
            raise LookupError(f"wallet {self.wallet_id} of transaction {self.id} is missing")
        return Wallet.from_model(wallet)

    @classmethod
    def from_model(cls, transaction: models.Transaction) -> Transaction:
        return cls(
            id=strawberry.ID(transaction.id),
            kind=transaction.kind,
            amount=Money.of(transaction.amount, transaction.currency),
            description=transaction.description,
            created_at=transaction.created_at,
            wallet_id=transaction.wallet_id,
        )

    @classmethod
    async def resolve_reference(
        cls, info: Info[SubgraphContext, None], id: strawberry.ID
    ) -> Transaction | None:
        transaction = await info.context.loaders.get(transaction_by_id).load(str(id))
        if transaction is None:
            return None
        await check_transaction(info, transaction)
        return cls.from_model(transaction)


async def check_transaction(
    info: Info[SubgraphContext, None], transaction: models.Transaction
) -> None:
    """The checks of the transaction's wallet (its owner or an administrator). Administrators
    need no wallet lookup; for anyone else the wallets of N transactions cost one SELECT."""
    if is_staff(info.context.viewer, ADMIN):
        return
    wallet = await info.context.loaders.get(wallet_by_id).load(transaction.wallet_id)
    if wallet is None:  # the foreign key makes this impossible
        raise LookupError(
            f"wallet {transaction.wallet_id} of transaction {transaction.id} is missing"
        )
    check_wallet(info.context.viewer, wallet)
