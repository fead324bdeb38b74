"""Payout service tests' helpers: each call is one unit of work, like a request."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.kernel.context import Viewer
from subgraphs.kernel.db import Database
from subgraphs.money import services
from subgraphs.money.ledger import SETTLEMENT
from subgraphs.money.models import Account, Outbox, Wallet
from subgraphs.money.payments import methods
from subgraphs.money.payments.sandbox import SandboxProvider
from subgraphs.money.payouts import services as payouts
from subgraphs.money.payouts.ledger_port import IN_TRANSIT
from subgraphs.money.payouts.models import Payout
from subgraphs.money.payouts.settlement import settle_payout_from_provider
from subgraphs.money.verification import verify_ledger

T = TypeVar("T")

PROVIDER = SandboxProvider()
ACCEPTED_ACCOUNT = "DE89370400440532013000"
ADMIN = Viewer(user_id=str(uuid.uuid4()), roles=frozenset({"admin"}), scopes=frozenset({"admin"}))


class Bench:
    def __init__(self, database: Database) -> None:
        self.database = database

    async def run(self, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
        """`work` in one unit of work: committed, or rolled back on error."""
        async with self.database.sessions() as session:
            try:
                result = await work(session)
            except BaseException:
                await session.rollback()
                raise
            await session.commit()
            return result

    async def funded_wallet(self, amount: int, currency: str = "EUR") -> tuple[Viewer, str]:
        """A new user holding `amount` in a new wallet (a trusted deposit)."""
        owner = Viewer(user_id=str(uuid.uuid4()), scopes=frozenset({"user"}))

        async def work(session: AsyncSession) -> str:
            assert owner.user_id is not None
            wallet = await services.open_wallet(session, owner_id=owner.user_id, currency=currency)
            if amount:
                await services.deposit_to_wallet(
                    session, actor=None, wallet_id=wallet.id, amount=amount
                )
            return wallet.id

        return owner, await self.run(work)

    async def bank_account(self, owner: Viewer, number: str = ACCEPTED_ACCOUNT) -> str:
        async def work(session: AsyncSession) -> str:
            assert owner.user_id is not None
            method = await methods.add_bank_account(
                session,
                owner_id=owner.user_id,
                provider=PROVIDER,
                holder_name="Ada Lovelace",
                account_number=number,
                bank_code="COBADEFF",
            )
            return method.id

        return await self.run(work)

    async def withdraw(
        self,
        actor: Viewer,
        wallet_id: str,
        method_id: str,
        amount: int,
        key: str | None = None,
    ) -> Payout:
        return await self.run(
            lambda session: payouts.withdraw_from_wallet(
                session,
                actor=actor,
                provider=PROVIDER,
                wallet_id=wallet_id,
                method_id=method_id,
                amount=amount,
                description=None,
                idempotency_key=key or str(uuid.uuid4()),
            )
        )

    async def retry(self, actor: Viewer, payout_id: str) -> Payout:
        return await self.run(
            lambda session: payouts.retry_payout(
                session, actor=actor, provider=PROVIDER, payout_id=payout_id
            )
        )

    async def settle(
        self, reference: str | None, *, paid: bool, code: str | None = None
    ) -> tuple[str, str | None]:
        assert reference is not None
        return await self.run(
            lambda session: settle_payout_from_provider(
                session,
                provider_reference=reference,
                paid=paid,
                failure_code=code,
                failure_message=None,
            )
        )

    async def payout(self, payout_id: str) -> Payout:
        async with self.database.sessions() as session:
            found = await session.get(Payout, payout_id)
            assert found is not None
            return found

    async def balance(self, wallet_id: str) -> int:
        async with self.database.sessions() as session:
            wallet = await session.get(Wallet, wallet_id)
            assert wallet is not None
            return wallet.balance

    async def system_balance(self, purpose: str, currency: str = "EUR") -> int:
        async with self.database.sessions() as session:
            balance = await session.scalar(
                select(Account.balance).where(
                    Account.purpose == purpose, Account.currency == currency
                )
            )
            return int(balance or 0)

    async def in_transit(self) -> int:
        return await self.system_balance(IN_TRANSIT)

    async def settled(self) -> int:
        return await self.system_balance(SETTLEMENT)

    async def ledger_ok(self) -> bool:
        async with self.database.sessions() as session:
            return (await verify_ledger(session)).ok

    async def events(self, event_type: str, user_id: str | None) -> list[dict[str, Any]]:
        async with self.database.sessions() as session:
            rows = await session.scalars(
                select(Outbox)
                .where(Outbox.type == event_type, Outbox.user_id == user_id)
                .order_by(Outbox.position)
            )
            return [row.payload for row in rows]
