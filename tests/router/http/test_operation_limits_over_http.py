"""Operation limits, demand control and introspection access through the real router app, over
HTTP, GraphQL over SSE and graphql-transport-ws: every transport is refused the same way, before
any subgraph is asked."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import orjson
import pytest

from router.config import RouterConfig
from router.http.app import create_router_app
from router.operation.limits import OperationLimits
from tests.fixtures.benchmark.data import FIXTURE_DIR
from tests.fixtures.benchmark.loopback import LoopbackServer, start_loopback_server
from tests.fixtures.benchmark.subgraph_servers import subgraph_app

SUPERGRAPH_SDL = (FIXTURE_DIR / "supergraph.apollo.graphql").read_text()
LIMITS = OperationLimits(
    max_depth=3,
    max_aliases=1,
    max_cost=50,
    introspection=False,
    introspection_scope="admin",
)
DEEP = "{ me { reviews { author { id } } } }"  # depth 4
# users: 10 (the default list size) x (1 + 10 reviews x 1) = 110
PRICEY = "{ users { reviews { id } } }"
ME = "{ me { id name } }"
ME_DATA = {"me": {"id": "1", "name": "Uri Goldshtein"}}
WS_PROTOCOL = "graphql-transport-ws"


@pytest.fixture(scope="module")
async def router_url() -> AsyncIterator[str]:
    accounts = await start_loopback_server(subgraph_app("accounts"))
    router: LoopbackServer = await start_loopback_server(
        create_router_app(
            SUPERGRAPH_SDL,
            subgraph_urls={"accounts": accounts.graphql_url},
            config=RouterConfig(operation_limits=LIMITS),
        )
    )
    yield router.graphql_url
    await router.stop()
    await accounts.stop()


async def post(
    client: aiohttp.ClientSession, url: str, query: str, accept: str = "application/json"
) -> tuple[int, dict[str, Any]]:
    body = orjson.dumps({"query": query})
    headers = {"content-type": "application/json", "accept": accept}
    async with client.post(url, data=body, headers=headers) as response:
        return response.status, orjson.loads(await response.read())


def codes(errors: list[dict[str, Any]]) -> list[str]:
    return [error["extensions"]["code"] for error in errors]


async def test_a_query_within_the_limits_is_answered(
    router_url: str, client: aiohttp.ClientSession
) -> None:
    status, body = await post(client, router_url, ME)
    assert status == 200
    assert body == {"data": ME_DATA}


@pytest.mark.parametrize(
    ("query", "code"),
    [
        (DEEP, "MAX_DEPTH_EXCEEDED"),
        ("{ a: me { id } b: me { id } }", "MAX_ALIASES_EXCEEDED"),
        (PRICEY, "COST_ESTIMATED_TOO_EXPENSIVE"),
        ("{ __schema { queryType { name } } }", "INTROSPECTION_DISABLED"),
    ],
)
async def test_a_request_over_a_limit_is_a_400_with_its_code(
    router_url: str, client: aiohttp.ClientSession, query: str, code: str
) -> None:
    status, body = await post(client, router_url, query, "application/graphql-response+json")
    assert status == 400
    assert "data" not in body
    assert codes(body["errors"]) == [code]


async def test_the_cost_error_says_the_estimate_and_the_maximum(
    router_url: str, client: aiohttp.ClientSession
) -> None:
    _, body = await post(client, router_url, PRICEY)
    [error] = body["errors"]
    assert error["extensions"] == {
        "code": "COST_ESTIMATED_TOO_EXPENSIVE",
        "estimatedCost": 110,
        "maxCost": 50,
    }


async def test_typename_alone_is_answered_while_introspection_is_off(
    router_url: str, client: aiohttp.ClientSession
) -> None:
    status, body = await post(client, router_url, "{ __typename }")
    assert (status, body) == (200, {"data": {"__typename": "Query"}})


async def test_an_event_stream_gets_the_same_refusal(
    router_url: str, client: aiohttp.ClientSession
) -> None:
    headers = {"content-type": "application/json", "accept": "text/event-stream"}
    body = orjson.dumps({"query": DEEP})
    async with client.post(router_url, data=body, headers=headers) as response:
        text = (await response.read()).decode()
    events = [
        orjson.loads(line.removeprefix("data:"))
        for line in text.splitlines()
        if line.startswith("data:") and line.strip() != "data:"
    ]
    assert [codes(event["errors"]) for event in events if "errors" in event] == [
        ["MAX_DEPTH_EXCEEDED"]
    ]


async def test_a_websocket_operation_gets_the_same_refusals(
    router_url: str, client: aiohttp.ClientSession
) -> None:
    async with client.ws_connect(router_url, protocols=(WS_PROTOCOL,)) as ws:
        await ws.send_str('{"type": "connection_init"}')
        assert orjson.loads(await ws.receive_str(timeout=5)) == {"type": "connection_ack"}
        for operation_id, query in (("deep", DEEP), ("pricey", PRICEY), ("me", ME)):
            message = {"id": operation_id, "type": "subscribe", "payload": {"query": query}}
            await ws.send_str(orjson.dumps(message).decode())
        answers: dict[str, list[dict[str, Any]]] = {}
        while len(answers.get("me", [])) < 2 or len(answers) < 3:
            answer = orjson.loads(await ws.receive_str(timeout=5))
            answers.setdefault(answer["id"], []).append(answer)
    [deep] = answers["deep"]
    assert deep["type"] == "error" and codes(deep["payload"]) == ["MAX_DEPTH_EXCEEDED"]
    [pricey] = answers["pricey"]
    assert pricey["type"] == "error"
    assert codes(pricey["payload"]) == ["COST_ESTIMATED_TOO_EXPENSIVE"]
    assert answers["me"] == [
        {"id": "me", "type": "next", "payload": {"data": ME_DATA}},
        {"id": "me", "type": "complete"},
    ]
