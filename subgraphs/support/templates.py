"""The one mapping from domain events (docs/events.md) to notifications, with their templates.

`TEMPLATES[event type]` says which category a notification falls in, whether it is urgent
(ignores quiet hours), and its title, body and link as `string.Template`s over the event's
payload plus a few derived values (`$amount`: money formatted from minor units and currency,
`$status`: a status in words). `render(envelope)` returns None for an event that notifies
nobody: an unknown type, no `userId`, or the user did it themself (`payload.actorId ==
userId`). Values missing from a payload render as empty text, never as an error: a producer
adding or dropping a field must not stop notifications.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from string import Template
from typing import Any, Final

from subgraphs.kernel.currencies import MINOR_UNIT_DIGITS
from subgraphs.support.models import NotificationCategory

Category = NotificationCategory


@dataclass(frozen=True, slots=True)
class NotificationTemplate:
    category: NotificationCategory
    title: str
    body: str
    link: str | None = None
    urgent: bool = False


@dataclass(frozen=True, slots=True)
class Rendered:
    user_id: str
    category: NotificationCategory
    title: str
    body: str
    link: str | None
    urgent: bool
    email_hint: str | None
    ticket_id: str | None
    order_id: str | None


TEMPLATES: Final[Mapping[str, NotificationTemplate]] = {
    "money.deposit.succeeded": NotificationTemplate(
        Category.PAYMENTS,
        "Payment received",
        "$amount was added to your wallet. Your balance is now $balance.",
        "/wallets/$walletId",
    ),
    "money.payment.succeeded": NotificationTemplate(
        Category.PAYMENTS,
        "Payment successful",
        "Your payment of $amount went through.",
        "/payments/$paymentId",
    ),
    "money.payment.failed": NotificationTemplate(
        Category.PAYMENTS,
        "Payment failed",
        "Your payment of $amount did not go through: $reason",
        "/payments/$paymentId",
    ),
    "money.refund.succeeded": NotificationTemplate(
        Category.PAYMENTS,
        "Refund issued",
        "$amount of your payment was refunded.",
        "/payments/$paymentId",
    ),
    "money.payout.paid": NotificationTemplate(
        Category.PAYMENTS,
        "Withdrawal paid",
        "$amount was paid out to your bank account.",
        "/payouts/$payoutId",
    ),
    "money.payout.failed": NotificationTemplate(
        Category.PAYMENTS,
        "Withdrawal failed",
        "Your withdrawal of $amount did not reach your bank account, so the money went back to "
        "your wallet: $reason",
        "/payouts/$payoutId",
    ),
    "money.fraud.held": NotificationTemplate(
        Category.PAYMENTS,
        "A transaction is on hold for review",
        "Your $amount transaction is on hold while we check it; no money has moved yet. We "
        "will tell you when it goes through or is declined.",
        "/wallets",
        urgent=True,
    ),
    "money.fraud.blocked": NotificationTemplate(
        Category.SECURITY,
        "We stopped a transaction",
        "A $amount transaction from your account was refused by our fraud checks; no money "
        "has moved. If this was not you, change your password and contact support.",
        "/account/security",
        urgent=True,
    ),
    "money.fraud.approved": NotificationTemplate(
        Category.PAYMENTS,
        "Your transaction went through",
        "Your $amount transaction that was on hold has been approved and completed.",
        "/wallets",
    ),
    "money.fraud.rejected": NotificationTemplate(
        Category.PAYMENTS,
        "Your transaction was declined",
        "Your $amount transaction that was on hold was declined after review; no money has "
        "moved. Contact support if you have questions.",
        "/wallets",
    ),
    "commerce.order.paid": NotificationTemplate(
        Category.ORDERS,
        "Order confirmed",
        "We have your payment for order $shortOrderId.",
        "/orders/$orderId",
    ),
    "commerce.order.shipped": NotificationTemplate(
        Category.ORDERS,
        "Your order has shipped",
        "Order $shortOrderId is on its way.",
        "/orders/$orderId",
    ),
    "commerce.order.delivered": NotificationTemplate(
        Category.ORDERS,
        "Your order was delivered",
        "Order $shortOrderId has arrived. Enjoy!",
        "/orders/$orderId",
    ),
    "commerce.order.cancelled": NotificationTemplate(
        Category.ORDERS,
        "Your order was cancelled",
        "Order $shortOrderId was cancelled.",
        "/orders/$orderId",
    ),
    "support.ticket.updated": NotificationTemplate(
        Category.SUPPORT,
        "Your ticket was updated",
        "“$subject” is now $status.",
        "/support/tickets/$ticketId",
    ),
    "identity.password.changed": NotificationTemplate(
        Category.SECURITY,
        "Your password was changed",
        "Your password was just changed (from $ipAddress). If this was not you, reset it now "
        "and contact support.",
        "/account/security",
        urgent=True,
    ),
    "identity.user.signed_in": NotificationTemplate(
        Category.SECURITY,
        "New sign-in to your account",
        "Someone signed in to your account from $ipAddress ($userAgent). If this was not you, "
        "change your password.",
        "/account/sessions",
    ),
    "identity.login.locked": NotificationTemplate(
        Category.SECURITY,
        "Sign-ins to your account are paused",
        "After repeated failed sign-ins, your account is locked for a while. If this was not "
        "you, consider changing your password.",
        "/account/security",
        urgent=True,
    ),
    "identity.mfa.disabled": NotificationTemplate(
        Category.SECURITY,
        "Two-step verification was turned off",
        "Two-step verification is now off for your account. If this was not you, contact "
        "support at once.",
        "/account/security",
        urgent=True,
    ),
}
"""Event types support turns into notifications (the consumer listens to their prefixes)."""

PREFIXES: Final = tuple(sorted({event_type.split(".", 1)[0] + "." for event_type in TEMPLATES}))


def format_money(amount: Any, currency: Any) -> str:
    """`1250, "EUR"` -> `12.50 EUR` (minor units per ISO 4217); anything odd as given."""
    if not isinstance(amount, int) or isinstance(amount, bool) or not isinstance(currency, str):
        return f"{amount} {currency}".strip()
    digits = MINOR_UNIT_DIGITS.get(currency, 2)
    value = Decimal(amount).scaleb(-digits)
    return f"{value:,.{digits}f} {currency}"


def _values(payload: Mapping[str, Any]) -> dict[str, str]:
    values = {key: str(value) for key, value in payload.items() if value is not None}
    currency = payload.get("currency")
    if "amount" in payload:
        values["amount"] = format_money(payload["amount"], currency)
    if "balance" in payload:
        values["balance"] = format_money(payload["balance"], currency)
    if isinstance(payload.get("status"), str):
        values["status"] = payload["status"].replace("_", " ").lower()
    if isinstance(payload.get("orderId"), str):
        values["shortOrderId"] = payload["orderId"][:8]
    values.setdefault("ipAddress", "an unknown address")
    values.setdefault("userAgent", "an unknown device")
    return values


class _Blank(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return ""


def _fill(template: str, values: Mapping[str, str]) -> str:
    return Template(template).substitute(_Blank(values)).strip()


def render(envelope: Mapping[str, Any]) -> Rendered | None:
    """The notification `envelope` (a domain event) makes, or None."""
    template = TEMPLATES.get(str(envelope.get("type")))
    user_id = envelope.get("userId")
    payload = envelope.get("payload")
    if template is None or not isinstance(user_id, str) or not user_id:
        return None
    if isinstance(payload, Mapping) and payload.get("actorId") == user_id:
        return None
    values = _values(payload if isinstance(payload, Mapping) else {})
    email = payload.get("email") if isinstance(payload, Mapping) else None
    return Rendered(
        user_id=user_id,
        category=template.category,
        title=_fill(template.title, values),
        body=_fill(template.body, values),
        link=_fill(template.link, values) if template.link else None,
        urgent=template.urgent,
        email_hint=email if isinstance(email, str) else None,
        ticket_id=_uuid(payload, "ticketId"),
        order_id=_uuid(payload, "orderId"),
    )


def _uuid(payload: Any, key: str) -> str | None:
    """`payload[key]` when it is a UUID (an entity id), else None."""
    raw = payload.get(key) if isinstance(payload, Mapping) else None
    if not isinstance(raw, str):
        return None
    try:
        return str(uuid.UUID(raw))
    except ValueError:
        return None
