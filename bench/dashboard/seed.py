"""The dashboard's data, made the way users make it: GraphQL mutations through the router, so
every domain rule (stock, currencies, workflows, access) applies and every side effect happens
(domain events -> notifications).

The viewer is the seeded administrator Erin, who is also made a seller. `grow_to(size)` brings
each of her lists to `size` items: products in her shop (and as many in Carol's), orders of one
product from each shop (each then PAID), deposits into her USD wallet, tickets about her orders
(each moved to IN_PROGRESS by a support agent: her own moves would notify nobody), and videos.
Payments, paid orders and ticket moves notify her: three notifications per item. Call it with
growing sizes: it only adds what is missing.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from tests.integration.platform.client import GraphQLClient

NOTIFICATIONS_SETTLE_SECONDS = 20.0

ASSIGN_ROLE = """mutation($input: ChangeRoleInput!) { assignRole(input: $input) { user { id } } }"""
REGISTER_SELLER = (
    """mutation($input: RegisterSellerInput!) { registerSeller(input: $input) { id } }"""
)
SELLER_OF = """query($id: ID!) { user(id: $id) { seller { id } } }"""
OPEN_WALLET = """mutation($input: OpenWalletInput!) { openWallet(input: $input) { id } }"""
CREATE_PRODUCT = """mutation($input: CreateProductInput!) { createProduct(input: $input) { id } }"""
PLACE_ORDER = """mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { id } }"""
UPDATE_ORDER = """mutation($input: UpdateOrderStatusInput!) {
  updateOrderStatus(input: $input) { id status } }"""
DEPOSIT = """mutation($input: DepositToWalletInput!) { depositToWallet(input: $input) { id } }"""
OPEN_TICKET = """mutation($input: OpenTicketInput!) { openTicket(input: $input) { id } }"""
UPDATE_TICKET = """mutation($input: UpdateTicketStatusInput!) {
  updateTicketStatus(input: $input) { id status } }"""
CREATE_VIDEO = """mutation($input: CreateVideoInput!) { createVideo(input: $input) { id } }"""
NOTIFICATION_COUNT = """{ unreadNotificationCount }"""
NOTIFICATION_CATEGORIES = """{ notifications(first: 100) { edges { node { category } } } }"""


@dataclass
class DashboardSeeder:
    """Grows the viewer's lists through `client` (which acts as the viewer, an administrator)."""

    client: GraphQLClient
    support_agent: GraphQLClient
    viewer_id: str
    other_seller_user_id: str
    own_shop: str = ""
    other_shop: str = ""
    wallet: str = ""
    own_products: list[str] = field(default_factory=list)
    other_products: list[str] = field(default_factory=list)
    orders: list[str] = field(default_factory=list)
    deposits: int = 0
    tickets: int = 0
    videos: int = 0

    async def prepare(self) -> None:
        """The viewer becomes a seller with a shop and opens a USD wallet."""
        await self._run(ASSIGN_ROLE, {"userId": self.viewer_id, "role": "SELLER"})
        shop = await self._run(
            REGISTER_SELLER, {"userId": self.viewer_id, "displayName": "Erin's Emporium"}
        )
        self.own_shop = shop["registerSeller"]["id"]
        other = await self.client.query(SELLER_OF, {"id": self.other_seller_user_id})
        self.other_shop = other["user"]["seller"]["id"]
        wallet = await self._run(OPEN_WALLET, {"ownerId": self.viewer_id, "currency": "USD"})
        self.wallet = wallet["openWallet"]["id"]

    async def grow_to(self, size: int) -> None:
        while len(self.own_products) < size:
            number = len(self.own_products) + 1
            self.own_products.append(await self._product(self.own_shop, f"Lamp #{number}"))
            self.other_products.append(await self._product(self.other_shop, f"Bowl #{number}"))
        while len(self.orders) < size:
            await self._paid_order(len(self.orders))
        while self.deposits < size:
            self.deposits += 1
            description = f"Top-up {self.deposits}"
            amount = 1_000 + self.deposits
            await self._run(
                DEPOSIT, {"walletId": self.wallet, "amount": amount, "description": description}
            )
        while self.tickets < size:
            await self._ticket_in_progress(self.orders[self.tickets])
        while self.videos < size:
            self.videos += 1
            title = f"Shop tour {self.videos}"
            await self._run(CREATE_VIDEO, {"title": title, "visibility": "PUBLIC"})
        await self._notifications_settle(expected=3 * size)

    async def _product(self, shop: str, name: str) -> str:
        price = {"amount": 2_500, "currency": "USD"}
        created = await self._run(
            CREATE_PRODUCT, {"sellerId": shop, "name": name, "price": price, "stock": 1_000_000}
        )
        product_id: str = created["createProduct"]["id"]
        return product_id

    async def _paid_order(self, index: int) -> None:
        lines = [
            {"productId": self.own_products[index], "quantity": 1},
            {"productId": self.other_products[index], "quantity": 2},
        ]
        placed = await self._run(PLACE_ORDER, {"lines": lines})
        order_id: str = placed["placeOrder"]["id"]
        await self._run(UPDATE_ORDER, {"orderId": order_id, "status": "PAID"})
        self.orders.append(order_id)

    async def _ticket_in_progress(self, order_id: str) -> None:
        self.tickets += 1
        opened = await self._run(
            OPEN_TICKET,
            {
                "subject": f"Where is my parcel? ({self.tickets})",
                "body": "It has been paid for a while.",
                "orderId": order_id,
            },
        )
        ticket_id = opened["openTicket"]["id"]
        moved = {"ticketId": ticket_id, "status": "IN_PROGRESS"}
        await self.support_agent.query(UPDATE_TICKET, {"input": moved})

    async def _notifications_settle(self, expected: int) -> None:
        """Wait until support has turned the domain events into the viewer's notifications
        (they arrive through the outbox relay and the broadcaster, after the mutations)."""
        deadline = time.monotonic() + NOTIFICATIONS_SETTLE_SECONDS
        while True:
            data = await self.client.query(NOTIFICATION_COUNT)
            if data["unreadNotificationCount"] >= expected:
                return
            if time.monotonic() > deadline:
                listed = await self.client.query(NOTIFICATION_CATEGORIES)
                categories = Counter(
                    e["node"]["category"] for e in listed["notifications"]["edges"]
                )
                raise SystemExit(
                    f"only {data['unreadNotificationCount']} of {expected} notifications "
                    f"arrived in {NOTIFICATIONS_SETTLE_SECONDS:.0f} s: {dict(categories)}"
                )
            await asyncio.sleep(0.2)

    async def _run(self, mutation: str, values: dict[str, Any]) -> dict[str, Any]:
        return await self.client.query(mutation, {"input": values})
