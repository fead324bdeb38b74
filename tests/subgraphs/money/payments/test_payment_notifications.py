"""Support's templates for the payment events money records (one mapping, in support)."""

from __future__ import annotations

import uuid

from subgraphs.support.models import NotificationCategory
from subgraphs.support.templates import render


def envelope(event_type: str, **payload: object) -> dict[str, object]:
    return {
        "id": uuid.uuid4().hex,
        "type": event_type,
        "userId": str(uuid.uuid4()),
        "payload": payload,
    }


def test_payment_events_become_payment_notifications_with_their_amounts() -> None:
    payment_id = str(uuid.uuid4())
    succeeded = render(
        envelope("money.payment.succeeded", paymentId=payment_id, amount=1250, currency="EUR")
    )
    failed = render(
        envelope(
            "money.payment.failed",
            paymentId=payment_id,
            amount=990,
            currency="USD",
            reason="The card was declined.",
        )
    )
    refunded = render(
        envelope("money.refund.succeeded", paymentId=payment_id, amount=300, currency="JPY")
    )
    assert succeeded is not None and failed is not None and refunded is not None
    assert {succeeded.category, failed.category, refunded.category} == {
        NotificationCategory.PAYMENTS
    }
    assert succeeded.body == "Your payment of 12.50 EUR went through."
    assert failed.body == "Your payment of 9.90 USD did not go through: The card was declined."
    assert refunded.body == "300 JPY of your payment was refunded."
    assert succeeded.link == f"/payments/{payment_id}"
