"""Payments' domain errors (each a stable `extensions.code`, a message that says what to do)."""

from __future__ import annotations

from subgraphs.kernel.errors import BadUserInput, Conflict, DomainError, NotFound


class IllegalPaymentTransition(Conflict):
    def __init__(self, payment_id: str, current: str, wanted: str) -> None:
        super().__init__(
            f"Payment {payment_id} is {current}; it cannot become {wanted}.",
            field="paymentId",
            status=current,
        )


class PaymentNotFound(NotFound):
    def __init__(self, payment_id: str) -> None:
        super().__init__(f"Payment {payment_id} does not exist.", field="paymentId")


class PaymentMethodNotFound(NotFound):
    def __init__(self, method_id: str) -> None:
        super().__init__(f"Payment method {method_id} does not exist.", field="paymentMethodId")


class PaymentMethodRemoved(Conflict):
    def __init__(self, method_id: str) -> None:
        super().__init__(
            f"Payment method {method_id} was removed; add it again or choose another.",
            field="paymentMethodId",
        )


class InvalidCard(BadUserInput):
    def __init__(self, reason: str, field: str = "cardNumber") -> None:
        super().__init__(f"Invalid card: {reason}.", field=field)


class InvalidBankAccount(BadUserInput):
    def __init__(self, reason: str, field: str = "accountNumber") -> None:
        super().__init__(f"Invalid bank account: {reason}.", field=field)


class InvalidPayment(BadUserInput):
    def __init__(self, reason: str, field: str) -> None:
        super().__init__(f"Invalid payment: {reason}.", field=field)


class OrderNotPayable(Conflict):
    def __init__(self, order_id: str, reason: str) -> None:
        super().__init__(f"Order {order_id} cannot be paid: {reason}.", field="orderId")


class OrderUnknown(NotFound):
    def __init__(self, order_id: str) -> None:
        super().__init__(
            f"Order {order_id} is not known to payments (yet): an order can be paid once "
            "commerce has announced it; try again in a moment.",
            field="orderId",
        )


class RefundExceedsCaptured(Conflict):
    def __init__(self, payment_id: str, requested: int, refundable: int, currency: str) -> None:
        super().__init__(
            f"Payment {payment_id} has {refundable} {currency} (minor units) left to refund; "
            f"{requested} is more than that.",
            field="amount",
            refundable=refundable,
        )


class NotRefundable(Conflict):
    def __init__(self, payment_id: str, status: str) -> None:
        super().__init__(
            f"Payment {payment_id} is {status}; only SUCCEEDED payments can be refunded.",
            field="paymentId",
        )


class ProviderUnavailable(DomainError):
    """The provider could not be reached; the same request may be retried."""

    code = "PROVIDER_UNAVAILABLE"

    def __init__(self, detail: str) -> None:
        super().__init__(
            f"The payment provider did not answer ({detail}); retry with the same idempotency key.",
            retryable=True,
        )
