"""Subgraph subscriptions over WebSocket (graphql-transport-ws on `/graphql`): the token comes in
`connection_init`'s payload and is verified like an HTTP request's; a bad one refuses the
connection (4403); resolvers subscribe to bus channels through `info.context.events`."""

from __future__ import annotations

import asyncio
import json

import pytest
import websockets
from websockets.exceptions import ConnectionClosed

from subgraphs.kernel.testing import migrated_settings
from tests.fixtures.tokens import TokenMint, serving_jwks
from tests.subgraphs.kernel.events_probe import (
    create_events_app,
    serve_with_websockets,
    transport_ws,
)

WHOAMI = "subscription { whoami }"
MESSAGES = "subscription($channel: String!) { messages(channel: $channel) }"


@pytest.fixture
async def served(tmp_path):
    mint = TokenMint.in_directory(tmp_path)
    async with serving_jwks(mint) as jwks_url:
        settings = await migrated_settings("money", tmp_path)
        app = create_events_app(settings.model_copy(update={"jwks_url": jwks_url}))
        async with serve_with_websockets(app) as url:
            yield url, app, mint


async def test_a_token_in_connection_init_makes_the_viewer(served):
    url, _, mint = served
    token = mint.token("user-42", "user")
    async with transport_ws(url, {"Authorization": f"Bearer {token}"}) as client:
        operation = await client.subscribe(WHOAMI)
        assert await client.next_data(operation) == {"data": {"whoami": "user-42"}}
        assert (await client.receive())["type"] == "complete"


async def test_no_token_is_anonymous(served):
    url, _, _ = served
    async with transport_ws(url) as client:
        operation = await client.subscribe(WHOAMI)
        assert await client.next_data(operation) == {"data": {"whoami": "anonymous"}}


@pytest.mark.parametrize(
    "authorization",
    ["Bearer not-a-jwt", "Basic dXNlcjpwYXNz", "Bearer ", 42, "expired", "foreign key"],
)
async def test_a_bad_token_refuses_the_connection(served, tmp_path, authorization):
    url, _, mint = served
    if authorization == "expired":
        authorization = f"Bearer {mint.token('user-42', lifetime=-120)}"
    elif authorization == "foreign key":
        stranger = TokenMint.in_directory(tmp_path / "stranger")
        authorization = f"Bearer {stranger.token('user-42')}"
    ws_url = url.replace("http://", "ws://") + "/graphql"
    async with websockets.connect(ws_url, subprotocols=["graphql-transport-ws"]) as connection:  # type: ignore[list-item]
        payload = {"Authorization": authorization}
        await connection.send(json.dumps({"type": "connection_init", "payload": payload}))
        with pytest.raises(ConnectionClosed) as closed:
            await asyncio.wait_for(connection.recv(), 5)
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4403


async def test_a_subscription_delivers_what_is_published_on_its_channel(served):
    url, app, _ = served
    async with transport_ws(url) as client:
        operation = await client.subscribe(MESSAGES, {"channel": "probe.channel"})
        for _ in range(100):  # the resolver subscribes once the operation starts
            if "probe.channel" in app.state.events.broadcast._subscribers:
                break
            await asyncio.sleep(0.01)
        await app.state.events.publish("probe.channel", {"hello": "world", "n": 1})
        assert await client.next_data(operation) == {
            "data": {"messages": {"hello": "world", "n": 1}}
        }
        await client.send({"id": operation, "type": "complete"})


async def test_http_graphql_still_answers_beside_the_websocket(served):
    import httpx

    url, _, mint = served
    async with httpx.AsyncClient() as http:
        response = await http.post(
            f"{url}/graphql",
            json={"query": "{ viewer }"},
            headers=mint.bearer("user-7"),
        )
    assert response.json() == {"data": {"viewer": "user-7"}}
