"""The whole path with a real producer: a deposit in money commits its
`money.deposit.succeeded` event in money's outbox, money's relay publishes it on the shared bus,
support turns it into a notification, and the wallet owner's `notificationAdded` subscription
receives it."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from starlette.applications import Starlette

from subgraphs.kernel.settings import Settings
from subgraphs.kernel.testing import RunningSubgraph, running_subgraph
from subgraphs.support.app import create_app
from tests.fixtures.tokens import TokenMint, serving_jwks
from tests.subgraphs.kernel.events_probe import transport_ws
from tests.subgraphs.support.conftest import FAST_DELIVERY, secured_with_websockets
from tests.subgraphs.support.notification_client import NOTIFICATIONS, new_user_id, ok

OPEN_WALLET = "mutation($input: OpenWalletInput!) { openWallet(input: $input) { id } }"
DEPOSIT = """
mutation($input: DepositToWalletInput!) { depositToWallet(input: $input) { id } }
"""
ADDED = "subscription { notificationAdded { title body link category } }"


def support_app_beside(money: RunningSubgraph) -> Callable[[Settings], Starlette]:
    """support's app on money's broadcaster (as `ehb dev` runs them: one bus per process)."""

    def factory(settings: Settings) -> Starlette:
        shared = settings.model_copy(
            update={"broadcast_url": money.app.state.settings.broadcast_url}
        )
        return create_app(shared, delivery=FAST_DELIVERY)

    return factory


async def test_a_deposit_in_money_notifies_its_owner_live(tmp_path):
    mint = TokenMint.in_directory(tmp_path)
    user = new_user_id()
    headers = mint.bearer(user, "user", lifetime=600)
    async with (
        serving_jwks(mint) as jwks_url,
        running_subgraph("money", tmp_path / "money", jwks_url=jwks_url) as money,
        secured_with_websockets(tmp_path / "support", support_app_beside(money), mint) as support,
    ):
        assert money.app.state.events.broadcast is support.subgraph.app.state.events.broadcast
        caller = money.with_headers(headers)
        wallet = ok(await caller.graphql(OPEN_WALLET, {"input": {"currency": "EUR"}}))
        async with transport_ws(support.subgraph.url, headers) as live:
            operation = await live.subscribe(ADDED)
            await asyncio.sleep(0.2)
            ok(
                await caller.graphql(
                    DEPOSIT, {"input": {"walletId": wallet["openWallet"]["id"], "amount": 1250}}
                )
            )
            received = (await live.next_data(operation))["data"]["notificationAdded"]

        assert received == {
            "title": "Payment received",
            "body": "12.50 EUR was added to your wallet. Your balance is now 12.50 EUR.",
            "link": f"/wallets/{wallet['openWallet']['id']}",
            "category": "PAYMENTS",
        }
        inbox = ok(await support.as_user(user).graphql(NOTIFICATIONS))
        assert [e["node"]["title"] for e in inbox["notifications"]["edges"]] == ["Payment received"]
