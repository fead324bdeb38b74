"""`ehb router` decides the client address itself (EHB_ROUTER_TRUSTED_PROXIES): uvicorn's own
X-Forwarded-For handling, which believes any loopback peer by default, is off, so a process on
the router's host cannot pass for another client unless it is configured as a trusted proxy."""

from __future__ import annotations

from pathlib import Path

import aiohttp

from tests.fixtures.subscriptions.platform import SUPERGRAPH
from tests.router.http.router_process import running_router

LIMIT_ONE_PER_ADDRESS = {"EHB_ROUTER_RATE_LIMIT_IP": "1/minute"}


async def _statuses(url: str, forwarded_for: list[str]) -> list[int]:
    statuses = []
    async with aiohttp.ClientSession() as client:
        for hops in forwarded_for:
            async with client.post(
                url, json={"query": "{ __typename }"}, headers={"x-forwarded-for": hops}
            ) as response:
                statuses.append(response.status)
    return statuses


async def test_a_loopback_peer_is_the_client_whatever_it_forwards(tmp_path: Path) -> None:
    async with running_router(
        "--supergraph", str(SUPERGRAPH), log_path=tmp_path / "router.log", env=LIMIT_ONE_PER_ADDRESS
    ) as router:
        statuses = await _statuses(router.graphql_url, ["203.0.113.1", "203.0.113.2"])

    assert statuses == [200, 429]  # both are 127.0.0.1's requests


async def test_a_trusted_loopback_proxy_forwards_the_client_address(tmp_path: Path) -> None:
    async with running_router(
        "--supergraph",
        str(SUPERGRAPH),
        log_path=tmp_path / "router.log",
        env={**LIMIT_ONE_PER_ADDRESS, "EHB_ROUTER_TRUSTED_PROXIES": "127.0.0.1"},
    ) as router:
        statuses = await _statuses(
            router.graphql_url, ["203.0.113.1", "203.0.113.2", "203.0.113.1"]
        )

    assert statuses == [200, 200, 429]
