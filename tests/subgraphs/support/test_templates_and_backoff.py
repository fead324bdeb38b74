"""The event -> notification mapping on its own, and the retry schedule."""

from __future__ import annotations

from datetime import timedelta

from subgraphs.support.delivery import DeliveryPolicy
from subgraphs.support.models import NotificationCategory
from subgraphs.support.templates import PREFIXES, TEMPLATES, render

USER = "2f0c3c1e-8d3f-4d7e-9a51-0b7c1f2e3d4a"
TICKET = "7d9e6f0a-1b2c-4d3e-8f4a-5b6c7d8e9f0a"


def test_retries_wait_exponentially_up_to_a_cap():
    policy = DeliveryPolicy(backoff_base_seconds=30, backoff_max_seconds=300)
    waits = [policy.backoff(attempts) for attempts in range(1, 6)]
    assert waits == [timedelta(seconds=s) for s in (30, 60, 120, 240, 300)]


def test_every_template_names_a_category_and_the_consumer_hears_every_prefix():
    assert set(PREFIXES) == {"commerce.", "identity.", "money.", "support."}
    for event_type, template in TEMPLATES.items():
        assert event_type.startswith(PREFIXES), event_type
        assert isinstance(template.category, NotificationCategory)


def test_events_for_nobody_or_unknown_make_no_notification():
    assert render({"id": "e", "type": "money.deposit.succeeded", "userId": None}) is None
    assert render({"id": "e", "type": "money.wallet.opened", "userId": USER}) is None
    own_move = {
        "id": "e",
        "type": "support.ticket.updated",
        "userId": USER,
        "payload": {"actorId": USER, "ticketId": TICKET, "status": "CLOSED"},
    }
    assert render(own_move) is None


def test_missing_payload_values_render_blank_and_ids_are_kept_only_when_valid():
    rendered = render(
        {
            "id": "e",
            "type": "support.ticket.updated",
            "userId": USER,
            "payload": {"ticketId": TICKET, "status": "WAITING_ON_CUSTOMER", "orderId": "nope"},
        }
    )
    assert rendered is not None
    assert rendered.body == "“” is now waiting on customer."
    assert rendered.link == f"/support/tickets/{TICKET}"
    assert (rendered.ticket_id, rendered.order_id) == (TICKET, None)
    assert rendered.category is NotificationCategory.SUPPORT and not rendered.urgent

    security = render({"id": "e", "type": "identity.password.changed", "userId": USER})
    assert security is not None and security.urgent
    assert "(from an unknown address)" in security.body
