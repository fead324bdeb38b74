"""Payment analytics by day (UTC, of the payment's creation), method and currency.

Integers only: counts and sums of minor units; rates are exact fractions (numerator and
denominator) with a floor-rounded basis-point value (1 bp = 0.01 %), never floats.
- success rate = SUCCEEDED / (SUCCEEDED + FAILED) payments (open and canceled intents count in
  `count`, not in the rate);
- refund rate = refunded minor units / captured minor units.

Scope: administrators see every payment; a seller sees the order payments made to them
(`payee_id`). The window is at most `MAX_DAYS` long.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Date, case, cast, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.kernel.access import ADMIN, is_staff
from subgraphs.kernel.context import Viewer
from subgraphs.kernel.currencies import validate_currency
from subgraphs.kernel.errors import Forbidden
from subgraphs.money._sql import dialect_name
from subgraphs.money.payments.errors import InvalidPayment
from subgraphs.money.payments.models import Payment, PaymentMethodKind, PaymentStatus

MAX_DAYS = 366
BASIS_POINTS = 10_000


@dataclass(frozen=True, slots=True)
class Ratio:
    numerator: int
    denominator: int

    @property
    def basis_points(self) -> int | None:
        """Floor of numerator/denominator in basis points; None when nothing to divide by."""
        if self.denominator == 0:
            return None
        return self.numerator * BASIS_POINTS // self.denominator


@dataclass(frozen=True, slots=True)
class AnalyticsRow:
    day: date
    method: PaymentMethodKind
    currency: str
    count: int
    succeeded: int
    failed: int
    volume: int
    refunded: int

    @property
    def success_rate(self) -> Ratio:
        return Ratio(self.succeeded, self.succeeded + self.failed)

    @property
    def refund_rate(self) -> Ratio:
        return Ratio(self.refunded, self.volume)


def _day(session: AsyncSession, column: Any) -> ColumnElement[Any]:
    if dialect_name(session) == "postgresql":
        return cast(func.timezone("UTC", column), Date)
    return func.date(column)


async def payment_analytics(
    session: AsyncSession,
    *,
    viewer: Viewer,
    since: datetime,
    until: datetime,
    currency: str | None = None,
) -> list[AnalyticsRow]:
    """Rows ordered by day, method, currency (only combinations with payments)."""
    viewer_id = viewer.require_user_id()
    admin = is_staff(viewer, ADMIN)
    if not admin and "seller" not in viewer.scopes:
        raise Forbidden("Payment analytics are for administrators and sellers.")
    if since.tzinfo is None or until.tzinfo is None:
        raise InvalidPayment("give since and until with a time zone (UTC)", field="since")
    if until <= since:
        raise InvalidPayment("until must be after since", field="until")
    if until - since > timedelta(days=MAX_DAYS):
        raise InvalidPayment(f"the window is at most {MAX_DAYS} days", field="until")
    day = _day(session, Payment.created_at)
    succeeded = Payment.status == PaymentStatus.SUCCEEDED
    query = (
        select(
            day,
            Payment.method_kind,
            Payment.currency,
            func.count(),
            func.sum(case((succeeded, 1), else_=0)),
            func.sum(case((Payment.status == PaymentStatus.FAILED, 1), else_=0)),
            func.sum(case((succeeded, Payment.amount), else_=0)),
            func.sum(case((succeeded, Payment.refunded_amount), else_=0)),
        )
        .where(Payment.created_at >= since, Payment.created_at < until)
        .group_by(day, Payment.method_kind, Payment.currency)
        .order_by(day, Payment.method_kind, Payment.currency)
    )
    if currency is not None:
        query = query.where(Payment.currency == validate_currency(currency))
    if not admin:
        query = query.where(Payment.payee_id == viewer_id)
    rows = await session.execute(query)
    return [
        AnalyticsRow(
            day=raw_day if isinstance(raw_day, date) else date.fromisoformat(str(raw_day)),
            method=method,
            currency=row_currency,
            count=int(count),
            succeeded=int(ok or 0),
            failed=int(failed or 0),
            volume=int(volume or 0),
            refunded=int(refunded or 0),
        )
        for raw_day, method, row_currency, count, ok, failed, volume, refunded in rows
    ]
