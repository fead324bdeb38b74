"""What the deterministic demo seed holds, as the API shows it to an anonymous caller."""

from __future__ import annotations

from typing import Any

from subgraphs.kernel.demo import demo_id, demo_user_id

ALICE = demo_user_id("alice")
BOB = demo_user_id("bob")
CAROL = demo_user_id("carol")

DISPLAY_NAMES = {
    demo_user_id("alice"): "Alice Martin",
    demo_user_id("bob"): "Bob Keller",
    demo_user_id("carol"): "Carol's Crafts",
    demo_user_id("dave"): "Dave (Support)",
    demo_user_id("erin"): "Erin Admin",
}


def money(amount: int, currency: str) -> dict[str, Any]:
    return {"amount": amount, "currency": currency}


# Oldest first, per owner.
WALLETS = {
    ALICE: [
        {"id": demo_id("wallet", "alice-usd"), "currency": "USD", "balance": money(62_550, "USD")},
        {"id": demo_id("wallet", "alice-eur"), "currency": "EUR", "balance": money(20_000, "EUR")},
    ],
    BOB: [{"id": demo_id("wallet", "bob-usd"), "currency": "USD", "balance": money(14_599, "USD")}],
    CAROL: [
        {"id": demo_id("wallet", "carol-usd"), "currency": "USD", "balance": money(75_000, "USD")}
    ],
    demo_user_id("dave"): [],
    demo_user_id("erin"): [],
}

# Newest first, per buyer: (order id, status, total).
ORDERS = {
    ALICE: [
        (demo_id("order", "alice-2"), "PENDING", money(5_900, "USD")),
        (demo_id("order", "alice-1"), "DELIVERED", money(8_550, "USD")),
    ],
    BOB: [(demo_id("order", "bob-1"), "PAID", money(3_500, "EUR"))],
    CAROL: [],
    demo_user_id("dave"): [],
    demo_user_id("erin"): [],
}

ALICE_1 = demo_id("order", "alice-1")
ALICE_2 = demo_id("order", "alice-2")
ALICE_MUG_TICKET = demo_id("ticket", "alice-mug-cracked")
PRODUCTS = {
    "carol-mug": (demo_id("product", "carol-mug"), "Hand-thrown mug"),
    "carol-scarf": (demo_id("product", "carol-scarf"), "Merino scarf"),
    "carol-candle": (demo_id("product", "carol-candle"), "Beeswax candle"),
}
ALICE_TRAVEL = demo_id("video", "alice-travel")
ALICE_UNBOXING = demo_id("video", "alice-unboxing")
ALICE_DRAFT = demo_id("video", "alice-draft")
CAROL_GLAZING = demo_id("video", "carol-glazing")
