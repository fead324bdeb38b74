"""Payments' GraphQL types. `Payment` and `PaymentMethod` are owned here; commerce's `Order`
is extended with `payment`. Access: a payment method is its owner's; a payment its payer's and
the seller's it paid (`payee_id`); administrators see all. Anonymous: UNAUTHENTICATED; anyone
else: FORBIDDEN."""

from __future__ import annotations

import enum
from datetime import date, datetime

import strawberry
from strawberry.types import Info

from subgraphs.kernel.access import require_owner_or_staff
from subgraphs.kernel.context import SubgraphContext, Viewer
from subgraphs.kernel.scalars import Long, Money
from subgraphs.money.loaders import wallet_by_id
from subgraphs.money.payments import enums as _enums  # noqa: F401 (registers the enums first)
from subgraphs.money.payments import models
from subgraphs.money.payments.analytics import AnalyticsRow, Ratio
from subgraphs.money.payments.loaders import (
    payment_by_id,
    payment_method_by_id,
    payments_by_order_id,
    refunds_by_payment_id,
)
from subgraphs.money.types import User, Wallet


def check_payment(viewer: Viewer, payment: models.Payment) -> None:
    """UNAUTHENTICATED when anonymous; FORBIDDEN unless the viewer paid it, was paid by it (the
    order's seller) or is an administrator."""
    if viewer.require_user_id() == payment.payee_id:
        return
    require_owner_or_staff(viewer, payment.payer_id, what=f"payment {payment.id}")


@strawberry.enum(description="How much of a captured payment went back to the payer.")
class PaymentRefundState(enum.Enum):
    NONE = "NONE"
    PARTIALLY_REFUNDED = "PARTIALLY_REFUNDED"
    REFUNDED = "REFUNDED"


@strawberry.enum(description="What the payer must do before the payment can go on.")
class PaymentActionType(enum.Enum):
    THREE_D_SECURE = "THREE_D_SECURE"


@strawberry.type(description="A step the payer must complete (then confirm the payment again).")
class PaymentAction:
    type: PaymentActionType
    url: str


@strawberry.type(description="Why the last attempt did not succeed.")
class PaymentFailure:
    code: str
    message: str
    retryable: bool = strawberry.field(
        description="True: confirm the payment again (with a new idempotency key) to retry."
    )


@strawberry.federation.type(
    keys=["id"],
    authenticated=True,
    description=(
        "A way to pay: a card (only brand, last four digits and expiry are ever shown), a bank "
        "account (last four digits) or the owner's EHB wallet. Owner and administrators only."
    ),
)
class PaymentMethod:
    id: strawberry.ID
    kind: models.PaymentMethodKind
    brand: str | None
    last4: str | None
    exp_month: int | None
    exp_year: int | None
    holder_name: str | None
    bank_code: str | None
    removed: bool
    created_at: datetime
    owner_id: strawberry.Private[str]
    wallet_id: strawberry.Private[str | None]

    @strawberry.field(description="Who owns the method.")
    def owner(self) -> User:
        return User(id=strawberry.ID(self.owner_id))

    @strawberry.field(description="WALLET methods: the wallet that pays.")
    async def wallet(self, info: Info[SubgraphContext, None]) -> Wallet | None:
        if self.wallet_id is None:
            return None
        wallet = await info.context.loaders.get(wallet_by_id).load(self.wallet_id)
        return None if wallet is None else Wallet.from_model(wallet)

    @classmethod
    def from_model(cls, method: models.PaymentMethod) -> PaymentMethod:
        return cls(
            id=strawberry.ID(method.id),
            kind=method.kind,
            brand=method.brand,
            last4=method.last4,
            exp_month=method.exp_month,
            exp_year=method.exp_year,
            holder_name=method.holder_name,
            bank_code=method.bank_code,
            removed=method.removed,
            created_at=method.created_at,
            owner_id=method.owner_id,
            wallet_id=method.wallet_id,
        )

    @classmethod
    async def resolve_reference(
        cls, info: Info[SubgraphContext, None], id: strawberry.ID
    ) -> PaymentMethod | None:
        method = await info.context.loaders.get(payment_method_by_id).load(str(id))
        if method is None:
            return None
        require_owner_or_staff(
            info.context.viewer, method.owner_id, what=f"payment method {method.id}"
        )
        return cls.from_model(method)


@strawberry.type(description="Money returned from a captured payment (a ledger transaction).")
class Refund:
    id: strawberry.ID
    amount: Money
    status: models.RefundStatus
    reason: str
    created_at: datetime

    @classmethod
    def from_model(cls, refund: models.Refund) -> Refund:
        return cls(
            id=strawberry.ID(refund.id),
            amount=Money.of(refund.amount, refund.currency),
            status=refund.status,
            reason=refund.reason,
            created_at=refund.created_at,
        )


@strawberry.federation.type(
    keys=["id"],
    authenticated=True,
    description="A payment intent and, once SUCCEEDED, the captured payment. Its payer, the "
    "seller it paid and administrators only.",
)
class Payment:
    id: strawberry.ID
    status: models.PaymentStatus
    purpose: models.PaymentPurpose
    amount: Money
    refunded: Money = strawberry.field(description="The sum of its refunds so far.")
    refundable: Money = strawberry.field(description="What may still be refunded.")
    refund_state: PaymentRefundState
    method_kind: models.PaymentMethodKind
    attempts: int = strawberry.field(description="How many times the provider was asked.")
    next_action: PaymentAction | None
    failure: PaymentFailure | None
    created_at: datetime
    updated_at: datetime
    succeeded_at: datetime | None
    captured_transaction_id: strawberry.ID | None = strawberry.field(
        description="The ledger (journal) transaction of the capture."
    )
    provider_reference: str | None = strawberry.field(
        description="The provider's id of the charge (its webhooks name it)."
    )
    payer_id: strawberry.Private[str]
    method_id: strawberry.Private[str]
    wallet_id: strawberry.Private[str | None]
    order_id: strawberry.Private[str | None]

    @strawberry.field(description="Who pays.")
    def payer(self) -> User:
        return User(id=strawberry.ID(self.payer_id))

    @strawberry.field(description="ORDER payments: the order paid (owned by commerce).")
    def order(self) -> Order | None:
        return None if self.order_id is None else Order(id=strawberry.ID(self.order_id))

    @strawberry.field(description="DEPOSIT: the wallet filled; ORDER by wallet: the wallet paying.")
    async def wallet(self, info: Info[SubgraphContext, None]) -> Wallet | None:
        if self.wallet_id is None:
            return None
        wallet = await info.context.loaders.get(wallet_by_id).load(self.wallet_id)
        return None if wallet is None else Wallet.from_model(wallet)

    @strawberry.field(description="The method that pays.")
    async def method(self, info: Info[SubgraphContext, None]) -> PaymentMethod:
        method = await info.context.loaders.get(payment_method_by_id).load(self.method_id)
        if method is None:  # the foreign key makes this impossible
            raise LookupError(f"payment method {self.method_id} of payment {self.id} is missing")
        return PaymentMethod.from_model(method)

    @strawberry.field(description="Its refunds, oldest first.")
    async def refunds(self, info: Info[SubgraphContext, None]) -> list[Refund]:
        rows = await info.context.loaders.get(refunds_by_payment_id).load(str(self.id))
        return [Refund.from_model(row) for row in rows]

    @classmethod
    def from_model(cls, payment: models.Payment) -> Payment:
        refunded = payment.refunded_amount
        state = (
            PaymentRefundState.NONE
            if refunded == 0
            else PaymentRefundState.REFUNDED
            if refunded == payment.amount
            else PaymentRefundState.PARTIALLY_REFUNDED
        )
        action = (
            PaymentAction(type=PaymentActionType.THREE_D_SECURE, url=payment.action_url)
            if payment.status is models.PaymentStatus.REQUIRES_ACTION and payment.action_url
            else None
        )
        failure = (
            PaymentFailure(
                code=payment.failure_code,
                message=payment.failure_message or "",
                retryable=payment.retryable,
            )
            if payment.failure_code
            else None
        )
        refundable = (
            payment.amount - refunded if payment.status is models.PaymentStatus.SUCCEEDED else 0
        )
        return cls(
            id=strawberry.ID(payment.id),
            status=payment.status,
            purpose=payment.purpose,
            amount=Money.of(payment.amount, payment.currency),
            refunded=Money.of(refunded, payment.currency),
            refundable=Money.of(refundable, payment.currency),
            refund_state=state,
            method_kind=payment.method_kind,
            attempts=payment.attempts,
            next_action=action,
            failure=failure,
            created_at=payment.created_at,
            updated_at=payment.updated_at,
            succeeded_at=payment.succeeded_at,
            captured_transaction_id=strawberry.ID(payment.captured_transaction_id)
            if payment.captured_transaction_id
            else None,
            provider_reference=payment.provider_reference,
            payer_id=payment.payer_id,
            method_id=payment.method_id,
            wallet_id=payment.wallet_id,
            order_id=payment.order_id,
        )

    @classmethod
    async def resolve_reference(
        cls, info: Info[SubgraphContext, None], id: strawberry.ID
    ) -> Payment | None:
        payment = await info.context.loaders.get(payment_by_id).load(str(id))
        if payment is None:
            return None
        check_payment(info.context.viewer, payment)
        return cls.from_model(payment)


@strawberry.federation.type(keys=["id"])
class Order:
    """commerce's order, extended with its payment."""

    id: strawberry.ID

    @strawberry.federation.field(
        authenticated=True,
        description=(
            "The order's payment: the SUCCEEDED one, else the latest attempt; null when none. "
            "Only the buyer (the payer), the seller paid and administrators see it."
        ),
    )
    async def payment(self, info: Info[SubgraphContext, None]) -> Payment | None:
        payments = await info.context.loaders.get(payments_by_order_id).load(str(self.id))
        if not payments:
            return None
        chosen = next(
            (p for p in payments if p.status is models.PaymentStatus.SUCCEEDED), payments[-1]
        )
        check_payment(info.context.viewer, chosen)
        return Payment.from_model(chosen)


@strawberry.type(description="An exact ratio: numerator / denominator, and floor basis points.")
class Rate:
    numerator: Long
    denominator: Long
    basis_points: int | None = strawberry.field(
        description="Floor of the ratio in 1/100 %; null when the denominator is 0."
    )

    @classmethod
    def of(cls, ratio: Ratio) -> Rate:
        return cls(
            numerator=Long(ratio.numerator),
            denominator=Long(ratio.denominator),
            basis_points=ratio.basis_points,
        )


@strawberry.type(description="Payments created on one UTC day with one method in one currency.")
class PaymentAnalyticsRow:
    day: date
    method: models.PaymentMethodKind
    currency: str
    count: int = strawberry.field(description="Payments created (any status).")
    succeeded: int
    failed: int
    volume: Money = strawberry.field(description="Captured amount of the SUCCEEDED ones.")
    refunded: Money
    success_rate: Rate = strawberry.field(description="SUCCEEDED / (SUCCEEDED + FAILED).")
    refund_rate: Rate = strawberry.field(description="refunded / volume, in minor units.")

    @classmethod
    def from_row(cls, row: AnalyticsRow) -> PaymentAnalyticsRow:
        return cls(
            day=row.day,
            method=row.method,
            currency=row.currency,
            count=row.count,
            succeeded=row.succeeded,
            failed=row.failed,
            volume=Money.of(row.volume, row.currency),
            refunded=Money.of(row.refunded, row.currency),
            success_rate=Rate.of(row.success_rate),
            refund_rate=Rate.of(row.refund_rate),
        )


PAYMENT_TYPES: tuple[type, ...] = (Payment, PaymentMethod, Order)
"""Entity types for the schema's `types=[...]`."""
