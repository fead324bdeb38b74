"""Setting up trusty wallets for service tests: three signers with keys, a 2-of-3 EUR wallet,
a funded payer wallet and a payee wallet (all through the services and the ledger API)."""

from __future__ import annotations

from dataclasses import dataclass

from subgraphs.kernel.context import Viewer
from subgraphs.money.ledger import Entry, post_journal_transaction, system_account
from subgraphs.money.models import Account
from subgraphs.money.services import open_wallet
from subgraphs.money.trusty import services
from subgraphs.money.trusty.settings import TrustySettings
from subgraphs.money.trusty.states import TrustyAccount
from tests.subgraphs.money.trusty.trusty_helpers import SignerIdentity

SETTINGS = TrustySettings(vault_delay_seconds=3600)


def viewer(identity: SignerIdentity, *scopes: str) -> Viewer:
    return Viewer(user_id=identity.user_id, roles=frozenset({"user"}), scopes=frozenset(scopes))


@dataclass
class Setup:
    signers: list[SignerIdentity]
    key_ids: list[str]
    trusty_wallet_id: str
    payer_wallet_id: str  # signers[0]'s EUR wallet, funded with 100_000
    payee_wallet_id: str  # an outsider's EUR wallet


async def make_setup(database, *, threshold: int = 2, fund_hot: int = 0, fund_vault: int = 0):
    signers = [SignerIdentity() for _ in range(3)]
    async with database.sessions() as session:
        key_ids = []
        for number, signer in enumerate(signers):
            key = await services.register_signer_key(
                session,
                user_id=signer.user_id,
                public_key=signer.public_key_base64,
                label=f"Key {number}",
                contact=None,
            )
            key_ids.append(key.id)
        wallet = await services.create_trusty_wallet(
            session,
            actor=viewer(signers[0]),
            name="Family savings",
            currency="EUR",
            threshold=threshold,
            signer_key_ids=key_ids,
            settings=SETTINGS,
        )
        payer = await open_wallet(session, owner_id=signers[0].user_id, currency="EUR")
        payee = await open_wallet(session, owner_id=SignerIdentity().user_id, currency="EUR")
        funding = await system_account(session, "EUR", "funding")
        await post_journal_transaction(
            session,
            kind="DEPOSIT",
            entries=[Entry(funding.id, -100_000), Entry(payer.id, 100_000)],
            memo="Test deposit",
        )
        for into, amount in ((TrustyAccount.HOT, fund_hot), (TrustyAccount.VAULT, fund_vault)):
            if amount:
                await services.fund_trusty_wallet(
                    session,
                    actor=viewer(signers[0]),
                    trusty_wallet_id=wallet.id,
                    from_wallet_id=payer.id,
                    amount=amount,
                    into=into,
                )
        await session.commit()
    return Setup(signers, key_ids, wallet.id, payer.id, payee.id)


async def propose(database, setup: Setup, *, amount=1_000, source=TrustyAccount.HOT, **extra):
    async with database.sessions() as session:
        proposal = await services.propose_transfer(
            session,
            actor=viewer(setup.signers[0]),
            trusty_wallet_id=setup.trusty_wallet_id,
            source=source,
            destination_wallet_id=extra.pop("destination_wallet_id", setup.payee_wallet_id),
            destination_account=extra.pop("destination_account", None),
            amount=amount,
            memo="Rent",
            expires_in_seconds=extra.pop("expires_in_seconds", None),
            settings=SETTINGS,
            **extra,
        )
        await session.commit()
        return proposal


async def approve(database, setup: Setup, proposal, signer_index: int, *, now=None, signature=None):
    signer = setup.signers[signer_index]
    content = services.content_of(proposal).canonical()
    async with database.sessions() as session:
        result = await services.approve_proposal(
            session,
            actor=viewer(signer),
            proposal_id=proposal.id,
            signature=signature or signer.sign(content),
            now=now,
        )
        await session.commit()
        return result


async def balances(database, setup: Setup) -> dict[str, int]:
    async with database.sessions() as session:
        wallet = await services.get_trusty_wallet(session, setup.trusty_wallet_id)
        trusty = await services.balances(session, wallet)
        payee = await session.get(Account, setup.payee_wallet_id)
        return {
            "hot": trusty[TrustyAccount.HOT],
            "vault": trusty[TrustyAccount.VAULT],
            "payee": payee.balance,
        }
