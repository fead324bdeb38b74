"""The client address identity records (sessions, throttling, audit): X-Forwarded-For only from a
trusted proxy, read right to left."""

from __future__ import annotations

from subgraphs.identity.state import client_address
from tests.subgraphs.identity.auth_client import login, login_body, register, unique_email

LOOPBACK = "127.0.0.1/32,::1/128"


def test_the_peer_is_the_client_without_a_trusted_proxy():
    assert client_address("203.0.113.9", "198.51.100.1", LOOPBACK) == "203.0.113.9"
    assert client_address("127.0.0.1", None, LOOPBACK) == "127.0.0.1"


def test_a_trusted_proxy_names_the_nearest_untrusted_hop():
    assert client_address("127.0.0.1", "198.51.100.1", LOOPBACK) == "198.51.100.1"
    # The client may prepend anything; only the hop the proxy saw counts.
    assert client_address("127.0.0.1", "6.6.6.6, 198.51.100.1", LOOPBACK) == "198.51.100.1"
    assert client_address("10.0.0.2", "198.51.100.1, 10.0.0.1", "10.0.0.0/8") == "198.51.100.1"
    assert client_address("127.0.0.1", "not-an-ip", LOOPBACK) == "127.0.0.1"


async def test_sessions_record_the_forwarded_address(identity):
    user = await register(identity, unique_email("forwarded"))
    body = await login_body(identity, user["email"], headers={"X-Forwarded-For": "198.51.100.7"})
    assert body["data"]["login"]["tokens"]["session"]["ipAddress"] == "198.51.100.7"
    assert (await login(identity, user["email"]))["session"]["ipAddress"] == "127.0.0.1"
