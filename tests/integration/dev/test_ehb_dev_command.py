"""`ehb dev` (the README's run command) starts the whole platform: one query reaches all six.

The router and the subgraphs verify tokens against identity's JWKS, so the query is sent with a
token of the seeded administrator, signed with the development keys `ehb dev` generated in its
data directory."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
import websockets

from subgraphs.kernel.demo import demo_user_id
from tests.fixtures.tokens import TokenMint

ROOT = Path(__file__).resolve().parents[3]
EHB = Path(sys.executable).with_name("ehb")
STARTUP_SECONDS = 60.0

SIX_SUBGRAPH_QUERY = """
query Alice($id: ID!) {
  user(id: $id) {
    displayName
    wallets { currency balance { amount currency } }
    orders(first: 5) { edges { node { status total { amount currency } buyer { displayName } } } }
    videos(first: 5) { edges { node { title } } }
    tickets(first: 5) { edges { node { subject order { id status } } } }
  }
  services { name status }
}
"""


def _free_port_block(size: int) -> int:
    """A base port such that base..base+size-1 are all free on loopback right now."""
    for base in range(21000, 60000, 97):
        sockets: list[socket.socket] = []
        try:
            for offset in range(size):
                sock = socket.socket()
                sockets.append(sock)
                sock.bind(("127.0.0.1", base + offset))
            return base
        except OSError:
            continue
        finally:
            for sock in sockets:
                sock.close()
    raise RuntimeError("no free block of loopback ports")


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("ehb-dev")


@pytest.fixture(scope="module")
def dev_platform(data_dir: Path) -> Iterator[str]:
    port = _free_port_block(7)
    env = {key: value for key, value in os.environ.items() if not key.startswith("EHB_")}
    process = subprocess.Popen(
        [str(EHB), "dev", "--seed", "--port", str(port), "--data-dir", str(data_dir)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            if process.poll() is not None:
                output = process.stdout.read() if process.stdout else ""
                raise AssertionError(f"ehb dev exited with {process.returncode}:\n{output}")
            try:
                if httpx.get(f"{base}/health?strict=1", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError("ehb dev did not become healthy in time")
            time.sleep(0.25)
        yield base
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout:
            process.stdout.close()
    assert process.returncode == 0


def test_one_query_returns_data_from_all_six_subgraphs(dev_platform: str, data_dir: Path) -> None:
    admin = TokenMint.in_directory(data_dir).bearer(demo_user_id("erin"), "user", "admin")
    response = httpx.post(
        f"{dev_platform}/graphql",
        json={"query": SIX_SUBGRAPH_QUERY, "variables": {"id": demo_user_id("alice")}},
        headers=admin,
        timeout=10,
    )
    assert response.status_code == 200
    body = response.json()
    assert "errors" not in body, body
    user = body["data"]["user"]
    assert user["displayName"]
    assert {wallet["currency"] for wallet in user["wallets"]} == {"USD", "EUR"}
    assert all(wallet["balance"]["amount"] > 0 for wallet in user["wallets"])
    orders = [edge["node"] for edge in user["orders"]["edges"]]
    assert orders and all(order["buyer"]["displayName"] == user["displayName"] for order in orders)
    assert user["videos"]["edges"]
    tickets = [edge["node"] for edge in user["tickets"]["edges"]]
    assert any(ticket["order"] and ticket["order"]["status"] for ticket in tickets)
    services = {service["name"]: service["status"] for service in body["data"]["services"]}
    assert set(services) == {
        "router",
        "identity",
        "money",
        "commerce",
        "media",
        "support",
        "observability",
    }
    assert set(services.values()) == {"UP"}


async def test_a_deposit_reaches_its_owner_live_over_a_websocket(
    dev_platform: str, data_dir: Path
) -> None:
    headers = TokenMint.in_directory(data_dir).bearer(demo_user_id("alice"), "user")
    url = dev_platform.replace("http://", "ws://") + "/graphql"
    deposit = """
    mutation($id: ID!) { depositToWallet(input: { walletId: $id, amount: 1234 }) { id } }
    """

    async with httpx.AsyncClient(base_url=dev_platform, headers=headers, timeout=10) as http:
        me = await http.post("/graphql", json={"query": "{ me { wallets { id } } }"})
        wallet = me.json()["data"]["me"]["wallets"][0]["id"]
        async with websockets.connect(url, subprotocols=["graphql-transport-ws"]) as socket:
            await socket.send(
                orjson.dumps({"type": "connection_init", "payload": headers}).decode()
            )
            assert orjson.loads(await socket.recv())["type"] == "connection_ack"
            subscription = "subscription { notificationAdded { category title } }"
            message = {"id": "1", "type": "subscribe", "payload": {"query": subscription}}
            await socket.send(orjson.dumps(message).decode())
            # Nothing says when the router's upstream subscription has reached support: deposit
            # until one is heard (an event before that reaches nobody, as pub/sub does). The
            # seeded orders' events may still be arriving too.
            heard: list[dict[str, Any]] = []
            for _ in range(10):
                variables = {"id": wallet}
                made = await http.post("/graphql", json={"query": deposit, "variables": variables})
                assert "errors" not in made.json(), made.json()
                with contextlib.suppress(TimeoutError):
                    while not any(payment(event) for event in heard):
                        heard.append(orjson.loads(await asyncio.wait_for(socket.recv(), 2)))
                if any(payment(event) for event in heard):
                    break

    assert all(event["type"] == "next" for event in heard), heard
    assert any(payment(event) for event in heard), heard


def payment(event: dict[str, Any]) -> bool:
    added = (event.get("payload", {}).get("data") or {}).get("notificationAdded") or {}
    return bool(added.get("category") == "PAYMENTS")
