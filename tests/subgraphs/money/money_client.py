"""GraphQL documents and helpers shared by money's tests."""

from __future__ import annotations

import uuid
from typing import Any

from subgraphs.kernel.testing import RunningSubgraph

OPEN_WALLET = """
mutation Open($input: OpenWalletInput!) {
  openWallet(input: $input) {
    id currency status createdAt owner { id } balance { amount currency }
  }
}
"""

DEPOSIT = """
mutation Deposit($input: DepositToWalletInput!) {
  depositToWallet(input: $input) {
    id kind description createdAt amount { amount currency }
    wallet { id balance { amount currency } }
  }
}
"""


def new_user_id() -> str:
    return str(uuid.uuid4())


async def open_wallet(money: RunningSubgraph, owner_id: str, currency: str = "USD") -> Any:
    body = await money.graphql(OPEN_WALLET, {"input": {"ownerId": owner_id, "currency": currency}})
    assert "errors" not in body, body
    return body["data"]["openWallet"]


async def deposit(
    money: RunningSubgraph, wallet_id: str, amount: int, description: str | None = None
) -> Any:
    body = await money.graphql(
        DEPOSIT,
        {"input": {"walletId": wallet_id, "amount": amount, "description": description}},
    )
    assert "errors" not in body, body
    return body["data"]["depositToWallet"]


def error_code(body: dict[str, Any]) -> str:
    assert body["data"] is None, body
    [error] = body["errors"]
    code: str = error["extensions"]["code"]
    return code
