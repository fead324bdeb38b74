"""Payment methods: cards (a provider token plus brand/last4/expiry), bank accounts (number
encrypted at rest, last four shown) and the owner's EHB wallet. Functions take the session and
never commit. A card number lives only in the call that tokenises it: never stored, never logged.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.kernel.access import require_owner_or_staff
from subgraphs.kernel.context import Viewer
from subgraphs.kernel.validation import parse_id, required_text
from subgraphs.money.errors import WalletNotFound
from subgraphs.money.models import Wallet
from subgraphs.money.payments.errors import (
    InvalidBankAccount,
    InvalidCard,
    PaymentMethodNotFound,
    PaymentMethodRemoved,
)
from subgraphs.money.payments.models import PaymentMethod, PaymentMethodKind
from subgraphs.money.payments.provider import PaymentProvider

_ACCOUNT_NUMBER = re.compile(r"^[A-Z0-9]{4,34}$")
_BANK_CODE = re.compile(r"^[A-Z0-9]{3,34}$")
MAX_YEARS_AHEAD = 30


def _check_expiry(exp_month: int, exp_year: int, *, today: datetime | None = None) -> None:
    now = today or datetime.now(UTC)
    if not 1 <= exp_month <= 12:
        raise InvalidCard("the expiry month is 1 to 12", field="expMonth")
    if not now.year <= exp_year <= now.year + MAX_YEARS_AHEAD:
        raise InvalidCard(
            f"the expiry year is {now.year} to {now.year + MAX_YEARS_AHEAD}", field="expYear"
        )
    if (exp_year, exp_month) < (now.year, now.month):
        raise InvalidCard("the card has expired", field="expMonth")


async def add_card(
    session: AsyncSession,
    *,
    owner_id: str,
    provider: PaymentProvider,
    card_number: str,
    exp_month: int,
    exp_year: int,
    cvc: str | None,
) -> PaymentMethod:
    """Tokenise the card with `provider` and keep only the token and what may be shown."""
    _check_expiry(exp_month, exp_year)
    card = provider.tokenize_card(
        number=card_number, exp_month=exp_month, exp_year=exp_year, cvc=cvc
    )
    method = PaymentMethod(
        owner_id=owner_id,
        kind=PaymentMethodKind.CARD,
        provider=provider.name,
        provider_token=card.token,
        brand=card.brand,
        last4=card.last4,
        exp_month=card.exp_month,
        exp_year=card.exp_year,
    )
    session.add(method)
    await session.flush()
    return method


async def add_bank_account(
    session: AsyncSession,
    *,
    owner_id: str,
    provider: PaymentProvider,
    holder_name: str,
    account_number: str,
    bank_code: str,
) -> PaymentMethod:
    number = account_number.replace(" ", "").upper()
    if not _ACCOUNT_NUMBER.match(number):
        raise InvalidBankAccount("the account number is 4 to 34 letters or digits (e.g. an IBAN)")
    code = bank_code.replace(" ", "").upper()
    if not _BANK_CODE.match(code):
        raise InvalidBankAccount("the bank code is 3 to 34 letters or digits", field="bankCode")
    method = PaymentMethod(
        owner_id=owner_id,
        kind=PaymentMethodKind.BANK_ACCOUNT,
        provider=provider.name,
        account_number=number,
        last4=number[-4:],
        holder_name=required_text(holder_name, field="holderName", max_length=200),
        bank_code=code,
    )
    session.add(method)
    await session.flush()
    return method


async def add_wallet_method(
    session: AsyncSession, *, owner_id: str, wallet_id: str
) -> PaymentMethod:
    """The owner's own wallet as a way to pay (someone else's wallet: NOT_FOUND, no hint)."""
    wallet_id = parse_id(wallet_id, field="walletId")
    wallet = await session.get(Wallet, wallet_id)
    if wallet is None or wallet.owner_id != owner_id:
        raise WalletNotFound(wallet_id)
    existing = await session.scalar(
        select(PaymentMethod).where(
            PaymentMethod.owner_id == owner_id,
            PaymentMethod.wallet_id == wallet_id,
            PaymentMethod.removed.is_(False),
        )
    )
    if existing is not None:
        return existing
    method = PaymentMethod(
        owner_id=owner_id, kind=PaymentMethodKind.WALLET, provider=None, wallet_id=wallet_id
    )
    session.add(method)
    await session.flush()
    return method


async def usable_method(session: AsyncSession, *, actor: Viewer, method_id: str) -> PaymentMethod:
    """The method, if the actor owns it (or is admin) and it was not removed."""
    method_id = parse_id(method_id, field="paymentMethodId")
    method = await session.get(PaymentMethod, method_id)
    if method is None:
        raise PaymentMethodNotFound(method_id)
    require_owner_or_staff(actor, method.owner_id, what=f"payment method {method_id}")
    if method.removed:
        raise PaymentMethodRemoved(method_id)
    return method


async def remove_payment_method(
    session: AsyncSession, *, actor: Viewer, method_id: str
) -> PaymentMethod:
    """Mark removed (past payments keep pointing at it) and forget its secrets."""
    method = await usable_method(session, actor=actor, method_id=method_id)
    method.removed = True
    method.provider_token = None
    method.account_number = None
    await session.flush()
    return method


async def list_methods_of_owners(
    session: AsyncSession, *, owner_ids: Sequence[str]
) -> Sequence[PaymentMethod]:
    rows = await session.scalars(
        select(PaymentMethod)
        .where(PaymentMethod.owner_id.in_(owner_ids), PaymentMethod.removed.is_(False))
        .order_by(PaymentMethod.owner_id, PaymentMethod.created_at, PaymentMethod.id)
    )
    return list(rows)
