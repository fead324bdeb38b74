"""GET /health reports the router and probes every subgraph with `{ __typename }`."""

import aiohttp
import orjson

from tests.router.http.pipeline_app import DOWN_SUBGRAPH


async def test_health_is_200_and_reports_a_down_subgraph_with_a_reason(
    client: aiohttp.ClientSession, router_url: str
) -> None:
    async with client.get(f"{router_url}/health") as response:
        body = orjson.loads(await response.read())

    assert response.status == 200
    assert response.headers["cache-control"] == "no-store"
    assert body["status"] == "warn"
    accounts = body["subgraphs"]["accounts"]
    assert accounts["status"] == "pass"
    assert isinstance(accounts["latencyMs"], float)
    assert "reason" not in accounts
    down = body["subgraphs"][DOWN_SUBGRAPH]
    assert down["status"] == "fail"
    assert down["reason"].startswith("cannot connect to 127.0.0.1:")


async def test_strict_health_is_503_when_a_subgraph_is_down(
    client: aiohttp.ClientSession, router_url: str
) -> None:
    async with client.get(f"{router_url}/health", params={"strict": "1"}) as response:
        body = orjson.loads(await response.read())

    assert response.status == 503
    assert body["status"] == "fail"
    assert body["subgraphs"][DOWN_SUBGRAPH]["status"] == "fail"
