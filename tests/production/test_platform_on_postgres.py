"""Real operations through the router with every subgraph on PostgreSQL: the six-subgraph
dashboard, a new user's first mutations, an order that cannot be filled writing nothing, and
concurrent deposits to one wallet serialised by the row lock."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import pytest

from tests.integration.platform import test_mutations, test_six_subgraphs
from tests.integration.platform.client import GraphQLClient
from tests.integration.platform.demo import ALICE, ORDERS, PRODUCTS
from tests.integration.platform.servers import Platform, recorded_requests

pytestmark = pytest.mark.postgres

PRODUCT_STOCK = "query ($id: ID!) { product(id: $id) { stock } }"
ALICE_ORDER_IDS = """
query ($id: ID!) { user(id: $id) { orders(first: 100) { edges { node { id } } } } }
"""
PLACE_ORDER = """
mutation ($buyer: ID!, $lines: [OrderLineInput!]!) {
  placeOrder(input: { buyerId: $buyer, lines: $lines }) { id status total { amount } }
}
"""
DEPOSIT = """
mutation ($wallet: ID!, $amount: Long!) {
  depositToWallet(input: { walletId: $wallet, amount: $amount }) { amount { amount } }
}
"""
WALLET_LEDGER = """
query ($id: ID!) {
  wallet(id: $id) {
    balance { amount }
    transactions(first: 100) { edges { node { kind amount { amount } } } }
  }
}
"""


async def test_one_request_returns_data_from_all_six_subgraphs(router: GraphQLClient) -> None:
    await test_six_subgraphs.test_one_request_returns_data_from_all_six_subgraphs(router)


async def test_router_health_reports_every_subgraph_passing(
    platform: Platform, http: aiohttp.ClientSession
) -> None:
    await test_six_subgraphs.test_router_health_reports_every_subgraph_passing(platform, http)


async def test_a_new_user_registers_opens_a_wallet_and_deposits(router: GraphQLClient) -> None:
    await test_mutations.test_a_new_user_registers_opens_a_wallet_and_deposits(router)


async def test_failing_mutations_carry_the_subgraph_code_and_write_nothing(
    router: GraphQLClient,
) -> None:
    await test_mutations.test_failing_mutations_carry_the_subgraph_code_and_write_nothing(router)


async def stock_of(router: GraphQLClient, product_id: str) -> int:
    stock: int = (await router.query(PRODUCT_STOCK, {"id": product_id}))["product"]["stock"]
    return stock


async def order_ids_of_alice(router: GraphQLClient) -> list[str]:
    data = await router.query(ALICE_ORDER_IDS, {"id": ALICE})
    return [edge["node"]["id"] for edge in data["user"]["orders"]["edges"]]


async def test_an_order_short_of_stock_takes_no_stock_and_records_no_order(
    router: GraphQLClient,
) -> None:
    mug, candle = PRODUCTS["carol-mug"][0], PRODUCTS["carol-candle"][0]
    before = {mug: await stock_of(router, mug), candle: await stock_of(router, candle)}
    lines = [
        {"productId": mug, "quantity": 1},  # available
        {"productId": candle, "quantity": before[candle] + 1},  # one too many
    ]

    reply = await router.post(PLACE_ORDER, {"buyer": ALICE, "lines": lines})

    assert reply.status == 200, reply.body
    assert reply.data is None, reply.body
    [error] = reply.errors
    assert error["extensions"]["code"] == "CONFLICT", reply.body
    assert error["extensions"]["serviceName"] == "commerce", reply.body
    assert {mug: await stock_of(router, mug), candle: await stock_of(router, candle)} == before
    assert await order_ids_of_alice(router) == [order[0] for order in ORDERS[ALICE]]


async def test_a_failing_root_field_rolls_back_the_order_placed_before_it(
    router: GraphQLClient, platform: Platform
) -> None:
    mug = PRODUCTS["carol-mug"][0]
    before = await stock_of(router, mug)
    query = """
    mutation ($buyer: ID!, $mug: ID!, $tooMany: Int!) {
      a: placeOrder(input: { buyerId: $buyer, lines: [{ productId: $mug, quantity: 1 }] }) { id }
      b: placeOrder(input: { buyerId: $buyer, lines: [{ productId: $mug, quantity: $tooMany }] }) {
        id
      }
    }
    """
    with recorded_requests(platform) as seen:
        reply = await router.post(query, {"buyer": ALICE, "mug": mug, "tooMany": before + 1})

    assert len(seen["commerce"]) == 1  # both root fields in one fetch: one unit of work
    assert reply.data is None, reply.body
    [error] = reply.errors
    assert (error["path"], error["extensions"]["code"]) == (["b"], "CONFLICT"), reply.body
    assert await stock_of(router, mug) == before
    assert await order_ids_of_alice(router) == [order[0] for order in ORDERS[ALICE]]


async def test_concurrent_deposits_to_one_wallet_all_count(router: GraphQLClient) -> None:
    user = await test_mutations.register(router, "Concurrent Depositor")
    opened = await router.query(
        test_mutations.OPEN_WALLET, {"owner": user["id"], "currency": "EUR"}
    )
    wallet = opened["openWallet"]["id"]
    amounts = list(range(1, 21))

    replies = await asyncio.gather(
        *(router.post(DEPOSIT, {"wallet": wallet, "amount": amount}) for amount in amounts)
    )

    assert [reply.errors for reply in replies] == [[] for _ in amounts]
    ledger: dict[str, Any] = (await router.query(WALLET_LEDGER, {"id": wallet}))["wallet"]
    deposits = [edge["node"]["amount"]["amount"] for edge in ledger["transactions"]["edges"]]
    assert sorted(deposits) == amounts
    assert ledger["balance"]["amount"] == sum(deposits) == sum(amounts)
