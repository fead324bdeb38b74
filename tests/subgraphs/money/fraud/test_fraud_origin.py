"""Where a movement comes from: the client address as identity derives it (X-Forwarded-For only
from a trusted proxy) and the X-Device-Id header (ignored unless it looks like an id)."""

from __future__ import annotations

from types import SimpleNamespace

from starlette.requests import Request

from subgraphs.kernel.settings import Settings
from subgraphs.money.fraud.movement import MovementOrigin, origin_of


def request(peer: str, **headers: str) -> Request:
    app = SimpleNamespace(state=SimpleNamespace(settings=Settings()))
    scope = {
        "type": "http",
        "method": "POST",
        "path": "/graphql",
        "headers": [
            (name.replace("_", "-").encode(), value.encode()) for name, value in headers.items()
        ],
        "client": (peer, 50000),
        "app": app,
    }
    return Request(scope)


def test_behind_the_router_the_client_is_the_forwarded_address():
    origin = origin_of(request("127.0.0.1", x_forwarded_for="198.51.100.7", x_device_id="ios-42"))

    assert origin == MovementOrigin(client_address="198.51.100.7", device_id="ios-42")


def test_a_direct_caller_cannot_forge_its_address():
    origin = origin_of(request("203.0.113.9", x_forwarded_for="198.51.100.7"))

    assert origin == MovementOrigin(client_address="203.0.113.9", device_id=None)


def test_a_device_id_that_is_not_an_id_is_ignored():
    assert origin_of(request("127.0.0.1", x_device_id="a b")).device_id is None
    assert origin_of(request("127.0.0.1", x_device_id="x" * 129)).device_id is None
    assert origin_of(request("127.0.0.1", x_device_id="x" * 128)).device_id == "x" * 128
