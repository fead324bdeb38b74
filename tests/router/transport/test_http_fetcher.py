import asyncio
from collections.abc import AsyncIterator

import orjson
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from router.errors import SubgraphUnavailable
from router.transport import HttpSubgraphFetcher, KeepAliveClient
from router.types import RequestContext, SubgraphRequest
from tests.fixtures.benchmark.loopback import (
    LoopbackServer,
    start_loopback_server,
    unused_loopback_port,
)
from tests.fixtures.benchmark.subgraph_servers import subgraph_app

SLOW_SECONDS = 1.0


async def _echo(request: Request) -> JSONResponse:
    body = orjson.loads(await request.body())
    return JSONResponse({"data": {"body": body, "headers": dict(request.headers)}})


async def _slow(request: Request) -> JSONResponse:
    await asyncio.sleep(SLOW_SECONDS)
    return JSONResponse({"data": {"late": True}})


def _misbehaving_app() -> Starlette:
    def fixed(status: int, body: bytes, media_type: str) -> Route:
        async def endpoint(request: Request) -> Response:
            await request.body()
            return Response(body, status_code=status, media_type=media_type)

        return endpoint  # type: ignore[return-value]

    routes = {
        "/html-500": fixed(500, b"<html>Internal Server Error</html>", "text/html"),
        "/plain-502": fixed(502, b"Bad Gateway", "text/plain"),
        "/not-json-200": fixed(200, b"hello", "text/plain"),
        "/empty-503": fixed(503, b"", "text/plain"),
        "/json-array": fixed(200, b"[1, 2]", "application/json"),
        "/json-500-no-graphql": fixed(500, b'{"detail": "boom"}', "application/json"),
        "/graphql-500": fixed(
            500,
            b'{"data": null, "errors": [{"message": "database down"}]}',
            "application/json",
        ),
        "/graphql-400": fixed(
            400,
            b'{"errors": [{"message": "Cannot query field \\"nope\\" on type \\"Query\\"."}]}',
            "application/graphql-response+json",
        ),
    }
    return Starlette(
        routes=[
            Route("/echo", _echo, methods=["POST"]),
            Route("/slow", _slow, methods=["POST"]),
            *(Route(path, endpoint, methods=["POST"]) for path, endpoint in routes.items()),
        ]
    )


@pytest.fixture(scope="module")
async def misbehaving_server() -> AsyncIterator[LoopbackServer]:
    server = await start_loopback_server(_misbehaving_app())
    yield server
    await server.stop()


@pytest.fixture(scope="module")
async def accounts_server() -> AsyncIterator[LoopbackServer]:
    server = await start_loopback_server(subgraph_app("accounts"))
    yield server
    await server.stop()


def _fetcher(
    client: KeepAliveClient, urls: dict[str, str], timeout: float = 5.0
) -> HttpSubgraphFetcher:
    return HttpSubgraphFetcher(
        client, urls, timeout_seconds=timeout, forwarded_headers=["Authorization"]
    )


async def test_a_query_reaches_the_named_subgraph_and_returns_its_response(
    subgraph_client: KeepAliveClient, accounts_server: LoopbackServer
) -> None:
    fetcher = _fetcher(subgraph_client, {"accounts": accounts_server.graphql_url})
    request = SubgraphRequest(
        query="query Find($id: ID!) { user(id: $id) { username } }",
        variables={"id": "2"},
        operation_name="Find",
        operation_kind="query",
    )

    response = await fetcher("accounts", request, RequestContext())

    assert response == {"data": {"user": {"username": "dotansimha"}}}


async def test_the_request_id_and_forwarded_headers_reach_the_subgraph(
    subgraph_client: KeepAliveClient, misbehaving_server: LoopbackServer
) -> None:
    fetcher = _fetcher(subgraph_client, {"echo": f"{misbehaving_server.base_url}/echo"})
    context = RequestContext(
        headers={"authorization": "Bearer t0k3n", "cookie": "secret=1"}, request_id="req-42"
    )

    response = await fetcher(
        "echo", SubgraphRequest(query="{ a }", operation_kind="query"), context
    )

    headers = response["data"]["headers"]
    assert headers["x-request-id"] == "req-42"
    assert headers["authorization"] == "Bearer t0k3n"
    assert "cookie" not in headers
    assert headers["content-type"] == "application/json"
    assert response["data"]["body"] == {"query": "{ a }"}


async def test_every_fetch_of_a_request_carries_its_headers_and_each_request_its_own(
    subgraph_client: KeepAliveClient, misbehaving_server: LoopbackServer
) -> None:
    fetcher = _fetcher(subgraph_client, {"echo": f"{misbehaving_server.base_url}/echo"})
    alice = RequestContext(headers={"authorization": "Bearer alice"}, request_id="req-a")
    bob = RequestContext(headers={"authorization": "Bearer bob"}, request_id="req-b")

    seen = [
        (await fetcher("echo", SubgraphRequest(query="{ a }", operation_kind="query"), context))[
            "data"
        ]["headers"]
        for context in (alice, bob, alice, bob)
    ]

    assert [(h["authorization"], h["x-request-id"]) for h in seen] == [
        ("Bearer alice", "req-a"),
        ("Bearer bob", "req-b"),
        ("Bearer alice", "req-a"),
        ("Bearer bob", "req-b"),
    ]


async def test_a_forwarded_header_that_cannot_be_sent_makes_the_subgraph_unavailable(
    subgraph_client: KeepAliveClient, misbehaving_server: LoopbackServer
) -> None:
    fetcher = _fetcher(subgraph_client, {"echo": f"{misbehaving_server.base_url}/echo"})
    context = RequestContext(headers={"authorization": "Bearer \u2603"})

    with pytest.raises(SubgraphUnavailable, match="not ISO-8859-1"):
        await fetcher("echo", SubgraphRequest(query="{ a }", operation_kind="query"), context)


async def test_the_client_address_is_appended_to_x_forwarded_for(
    subgraph_client: KeepAliveClient, misbehaving_server: LoopbackServer
) -> None:
    fetcher = _fetcher(subgraph_client, {"echo": f"{misbehaving_server.base_url}/echo"})
    direct = RequestContext(client_address="203.0.113.7")
    proxied = RequestContext(headers={"x-forwarded-for": "198.51.100.1"}, client_address="10.0.0.5")
    anonymous = RequestContext()

    answers = [
        (await fetcher("echo", SubgraphRequest(query="{ a }", operation_kind="query"), context))[
            "data"
        ]["headers"]
        for context in (direct, proxied, anonymous)
    ]

    assert [headers.get("x-forwarded-for") for headers in answers] == [
        "203.0.113.7",
        "198.51.100.1, 10.0.0.5",
        None,
    ]


async def test_the_client_user_agent_goes_on_outside_the_sharing_key(
    subgraph_client: KeepAliveClient, misbehaving_server: LoopbackServer
) -> None:
    fetcher = _fetcher(subgraph_client, {"echo": f"{misbehaving_server.base_url}/echo"})
    browser = RequestContext(headers={"user-agent": "Firefox/140.0"})

    answers = [
        (await fetcher("echo", SubgraphRequest(query="{ a }", operation_kind="query"), context))[
            "data"
        ]["headers"]
        for context in (browser, RequestContext())
    ]

    assert [headers.get("user-agent") for headers in answers] == ["Firefox/140.0", None]
    assert fetcher._headers(browser)[1] == b""  # not the auth context that decides sharing


async def test_variables_and_operation_name_are_sent_only_when_present(
    subgraph_client: KeepAliveClient, misbehaving_server: LoopbackServer
) -> None:
    fetcher = _fetcher(subgraph_client, {"echo": f"{misbehaving_server.base_url}/echo"})
    request = SubgraphRequest(
        query="query Q($n: Int) { a(n: $n) }",
        variables={"n": 3},
        operation_name="Q",
        operation_kind="query",
    )

    response = await fetcher("echo", request, RequestContext())

    assert response["data"]["body"] == {
        "query": "query Q($n: Int) { a(n: $n) }",
        "variables": {"n": 3},
        "operationName": "Q",
    }


@pytest.mark.parametrize(
    ("path", "status"),
    [("/graphql-500", 500), ("/graphql-400", 400)],
)
async def test_a_graphql_body_is_returned_whatever_the_http_status(
    subgraph_client: KeepAliveClient,
    misbehaving_server: LoopbackServer,
    path: str,
    status: int,
) -> None:
    fetcher = _fetcher(subgraph_client, {"flaky": misbehaving_server.base_url + path})

    response = await fetcher(
        "flaky", SubgraphRequest(query="{ a }", operation_kind="query"), RequestContext()
    )

    assert response["errors"]
    assert isinstance(response["errors"][0]["message"], str)


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        (
            "/html-500",
            "HTTP 500 with a body that is not JSON: '<html>Internal Server Error</html>'",
        ),
        ("/plain-502", "HTTP 502 with a body that is not JSON: 'Bad Gateway'"),
        ("/not-json-200", "HTTP 200 with a body that is not JSON: 'hello'"),
        ("/empty-503", "HTTP 503 with an empty body"),
        ("/json-array", "HTTP 200 with a JSON body that is not a GraphQL response"),
        ("/json-500-no-graphql", "HTTP 500 with a JSON body that is not a GraphQL response"),
    ],
)
async def test_a_body_that_is_not_a_graphql_response_makes_the_subgraph_unavailable(
    subgraph_client: KeepAliveClient,
    misbehaving_server: LoopbackServer,
    path: str,
    reason: str,
) -> None:
    fetcher = _fetcher(subgraph_client, {"broken": misbehaving_server.base_url + path})

    with pytest.raises(SubgraphUnavailable) as raised:
        await fetcher(
            "broken", SubgraphRequest(query="{ a }", operation_kind="query"), RequestContext()
        )

    assert raised.value.subgraph == "broken"
    assert raised.value.reason == reason


async def test_a_refused_connection_makes_the_subgraph_unavailable(
    subgraph_client: KeepAliveClient,
) -> None:
    url = f"http://127.0.0.1:{unused_loopback_port()}/graphql"
    fetcher = _fetcher(subgraph_client, {"down": url})

    with pytest.raises(SubgraphUnavailable) as raised:
        await fetcher(
            "down", SubgraphRequest(query="{ a }", operation_kind="query"), RequestContext()
        )

    assert raised.value.reason.startswith("cannot connect to 127.0.0.1:")
    assert "refused" in raised.value.reason.lower()


async def test_a_subgraph_slower_than_the_timeout_makes_it_unavailable(
    subgraph_client: KeepAliveClient, misbehaving_server: LoopbackServer
) -> None:
    fetcher = _fetcher(
        subgraph_client, {"slow": f"{misbehaving_server.base_url}/slow"}, timeout=0.2
    )

    with pytest.raises(SubgraphUnavailable) as raised:
        await fetcher(
            "slow", SubgraphRequest(query="{ a }", operation_kind="query"), RequestContext()
        )

    assert raised.value.reason == "no response within 0.2s"


async def test_a_per_call_timeout_overrides_the_default(
    subgraph_client: KeepAliveClient, misbehaving_server: LoopbackServer
) -> None:
    fetcher = _fetcher(subgraph_client, {"slow": f"{misbehaving_server.base_url}/slow"})

    with pytest.raises(SubgraphUnavailable, match=r"no response within 0\.1s"):
        await fetcher.fetch(
            "slow",
            SubgraphRequest(query="{ a }", operation_kind="query"),
            RequestContext(),
            timeout_seconds=0.1,
        )


async def test_an_unknown_subgraph_name_is_unavailable_with_a_reason(
    subgraph_client: KeepAliveClient,
) -> None:
    fetcher = _fetcher(subgraph_client, {})

    with pytest.raises(SubgraphUnavailable, match="the supergraph gives it no URL"):
        await fetcher(
            "ghost", SubgraphRequest(query="{ a }", operation_kind="query"), RequestContext()
        )


async def test_connections_are_kept_alive_and_reused(
    subgraph_client: KeepAliveClient, accounts_server: LoopbackServer
) -> None:
    fetcher = _fetcher(subgraph_client, {"accounts": accounts_server.graphql_url})
    request = SubgraphRequest(query="{ me { id } }", operation_kind="query")

    for _ in range(5):
        await fetcher("accounts", request, RequestContext())

    assert len(accounts_server.server.server_state.connections) == 1
