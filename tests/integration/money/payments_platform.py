"""The whole platform for the payments integration tests, and a router client per user."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Mapping
from typing import Any

import aiohttp

from subgraphs.money.payments.providers import ProviderRegistry
from tests.integration.platform.client import GraphQLClient
from tests.integration.platform.servers import Platform

PLACE_ORDER = """
mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { id total { amount currency } } }
"""


class RouterUser:
    """Calls the router as one user; `graphql(query, variables)` returns the decoded body."""

    def __init__(self, http: aiohttp.ClientSession, platform: Platform, headers: dict[str, str]):
        self.client = GraphQLClient(http, platform.graphql_url, headers)

    async def graphql(self, query: str, variables: Mapping[str, Any]) -> dict[str, Any]:
        reply = await self.client.post(query, dict(variables))
        assert reply.status == 200, reply.body
        return reply.body


def user(http: aiohttp.ClientSession, platform: Platform, *roles: str) -> tuple[str, RouterUser]:
    user_id = str(uuid.uuid4())
    return user_id, RouterUser(http, platform, platform.bearer(user_id, "user", *roles))


def admin(http: aiohttp.ClientSession, platform: Platform) -> RouterUser:
    return RouterUser(http, platform, platform.admin_headers())


def webhook_secret(platform: Platform) -> bytes:
    registry: ProviderRegistry = platform.subgraphs["money"].app.state.payment_providers
    return registry.webhook_secret


def webhook_url(platform: Platform) -> str:
    return f"{platform.subgraphs['money'].base_url}/webhooks/payments/sandbox"


async def until_money_knows_order(
    buyer: RouterUser, create: str, variables: dict[str, Any]
) -> dict[str, Any]:
    """Create the order's payment once money has heard commerce's `order.placed` event (the
    bus delivers it right after commerce commits; until then money answers NOT_FOUND)."""
    async with asyncio.timeout(15):
        while True:
            body = await buyer.graphql(create, variables)
            codes = [error["extensions"]["code"] for error in body.get("errors", [])]
            if codes != ["NOT_FOUND"]:
                return body
            await asyncio.sleep(0.05)
