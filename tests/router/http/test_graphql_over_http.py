"""GraphQL over HTTP on /graphql: methods, content types, status codes and error bodies."""

import logging
from typing import Any

import aiohttp
import orjson
import pytest

from tests.router.http.pipeline_app import MAX_REQUEST_BYTES

JSON = "application/json"
GRAPHQL_JSON = "application/graphql-response+json"


async def _post(
    client: aiohttp.ClientSession,
    router_url: str,
    body: Any,
    *,
    headers: dict[str, str] | None = None,
) -> tuple[int, str, dict[str, Any], aiohttp.ClientResponse]:
    data = body if isinstance(body, bytes) else orjson.dumps(body)
    all_headers = {"content-type": JSON, **(headers or {})}
    async with client.post(f"{router_url}/graphql", data=data, headers=all_headers) as response:
        return response.status, response.content_type, orjson.loads(await response.read()), response


async def _get(
    client: aiohttp.ClientSession, router_url: str, params: dict[str, str]
) -> tuple[int, dict[str, Any], aiohttp.ClientResponse]:
    # The CSRF preflight header every non-browser GraphQL client can send (router.http.csrf).
    headers = {"apollo-require-preflight": "true"}
    async with client.get(f"{router_url}/graphql", params=params, headers=headers) as response:
        return response.status, orjson.loads(await response.read()), response


def _codes(body: dict[str, Any]) -> list[str]:
    return [error["extensions"]["code"] for error in body["errors"]]


async def test_a_post_query_is_answered_as_json_by_default(
    client: aiohttp.ClientSession, router_url: str
) -> None:
    status, content_type, body, _ = await _post(client, router_url, {"query": "{ hello }"})

    assert status == 200
    assert content_type == JSON
    assert body == {"data": {"hello": "Hello, world!"}}


async def test_a_client_accepting_graphql_response_json_gets_that_media_type(
    client: aiohttp.ClientSession, router_url: str
) -> None:
    status, content_type, body, _ = await _post(
        client,
        router_url,
        {"query": "{ hello }"},
        headers={"accept": f"{GRAPHQL_JSON}, {JSON};q=0.9"},
    )

    assert status == 200
    assert content_type == GRAPHQL_JSON
    assert body == {"data": {"hello": "Hello, world!"}}


async def test_variables_and_operation_name_are_used(
    client: aiohttp.ClientSession, router_url: str
) -> None:
    document = "query A { hello } query B($who: String) { hello(name: $who) }"

    status, _, body, _ = await _post(
        client,
        router_url,
        {"query": document, "operationName": "B", "variables": {"who": "Ada"}},
    )

    assert status == 200
    assert body == {"data": {"hello": "Hello, Ada!"}}


async def test_a_get_query_reads_query_parameters(
    client: aiohttp.ClientSession, router_url: str
) -> None:
    status, body, response = await _get(
        client,
        router_url,
        {
            "query": "query Greet($who: String) { hello(name: $who) }",
            "variables": '{"who": "Grace"}',
            "operationName": "Greet",
        },
    )

    assert status == 200
    assert response.content_type == JSON
    assert body == {"data": {"hello": "Hello, Grace!"}}


async def test_a_mutation_over_get_is_refused_with_405_and_not_run(
    client: aiohttp.ClientSession, router_url: str
) -> None:
    status, body, response = await _get(client, router_url, {"query": "mutation { bump }"})

    assert status == 405
    assert response.headers["allow"] == "GET, POST"
    assert body["errors"][0]["message"] == "A mutation can only be sent with POST, not GET"
    assert _codes(body) == ["BAD_REQUEST"]
    assert "data" not in body
    _, _, posted, _ = await _post(client, router_url, {"query": "mutation { bump }"})
    assert posted == {"data": {"bump": 1}}


async def test_a_subscription_is_refused_on_the_http_endpoint(
    client: aiohttp.ClientSession, router_url: str
) -> None:
    status, _, body, _ = await _post(client, router_url, {"query": "subscription { ticks }"})

    assert status == 400
    assert _codes(body) == ["BAD_REQUEST"]


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (b'{"query": "{ hello }"', "The request body is not valid JSON"),
        (b"", "The request body is not valid JSON"),
        (b'"{ hello }"', "The request body must be a JSON object"),
        (b'[{"query": "{ hello }"}]', "Batched requests (a JSON array) are not supported"),
        (b"{}", "The request has no 'query'"),
        (b'{"query": 42}', "'query' must be a string"),
        (b'{"query": "   "}', "'query' is empty"),
        (b'{"query": "{ hello }", "variables": [1]}', "'variables' must be a JSON object or null"),
        (b'{"query": "{ hello }", "variables": "{}"}', "'variables' must be a JSON object"),
        (b'{"query": "{ hello }", "operationName": 3}', "'operationName' must be a string"),
        (b'{"query": "{ hello }", "extensions": 1}', "'extensions' must be a JSON object"),
    ],
)
async def test_an_unusable_post_body_is_answered_400_with_a_graphql_error(
    client: aiohttp.ClientSession, router_url: str, payload: bytes, message: str
) -> None:
    status, content_type, body, _ = await _post(client, router_url, payload)

    assert status == 400
    assert content_type == JSON
    assert body["errors"][0]["message"].startswith(message)
    assert _codes(body) == ["BAD_REQUEST"]
    assert "data" not in body


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({}, "The request has no 'query'"),
        ({"query": "{ hello }", "variables": "{not json"}, "The 'variables' query parameter"),
        ({"query": "{ hello }", "variables": "[1]"}, "'variables' must be a JSON object"),
    ],
)
async def test_an_unusable_get_request_is_answered_400(
    client: aiohttp.ClientSession, router_url: str, params: dict[str, str], message: str
) -> None:
    status, body, _ = await _get(client, router_url, params)

    assert status == 400
    assert body["errors"][0]["message"].startswith(message)


@pytest.mark.parametrize(
    ("document", "operation_name", "code"),
    [
        ("{ hello ", None, "GRAPHQL_PARSE_FAILED"),
        ("{ nope }", None, "GRAPHQL_VALIDATION_FAILED"),
        ("query A { hello }", "B", "OPERATION_RESOLUTION_FAILURE"),
    ],
)
async def test_engine_request_errors_are_answered_400_without_data(
    client: aiohttp.ClientSession,
    router_url: str,
    document: str,
    operation_name: str | None,
    code: str,
) -> None:
    status, _, body, _ = await _post(
        client, router_url, {"query": document, "operationName": operation_name}
    )

    assert status == 400
    assert _codes(body) == [code]
    assert "data" not in body


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/x-www-form-urlencoded", "application/json; charset=latin-1"],
)
async def test_an_unsupported_content_type_is_answered_415(
    client: aiohttp.ClientSession, router_url: str, content_type: str
) -> None:
    status, _, body, _ = await _post(
        client, router_url, {"query": "{ hello }"}, headers={"content-type": content_type}
    )

    assert status == 415
    assert _codes(body) == ["BAD_REQUEST"]


async def test_a_post_without_content_type_is_answered_415(
    client: aiohttp.ClientSession, router_url: str
) -> None:
    async with client.post(
        f"{router_url}/graphql",
        data=b'{"query": "{ hello }"}',
        skip_auto_headers=["content-type"],
    ) as response:
        body = orjson.loads(await response.read())

    assert response.status == 415
    assert "Content-Type: application/json" in body["errors"][0]["message"]


async def test_a_body_larger_than_the_limit_is_answered_413(
    client: aiohttp.ClientSession, router_url: str
) -> None:
    padding = "#" * MAX_REQUEST_BYTES
    status, _, body, _ = await _post(client, router_url, {"query": f"{{ hello }}\n{padding}"})

    assert status == 413
    assert _codes(body) == ["BAD_REQUEST"]


async def test_other_methods_are_answered_405_with_a_graphql_error(
    client: aiohttp.ClientSession, router_url: str
) -> None:
    async with client.put(f"{router_url}/graphql", data=b"{}") as response:
        body = orjson.loads(await response.read())

    assert response.status == 405
    assert response.headers["allow"] == "GET, POST"
    assert _codes(body) == ["BAD_REQUEST"]


async def test_an_unexpected_failure_is_logged_and_answered_with_its_request_id_only(
    client: aiohttp.ClientSession, router_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="router.http.graphql_endpoint"):
        status, _, body, response = await _post(client, router_url, {"query": "{ crash }"})

    request_id = response.headers["x-request-id"]
    assert status == 500
    assert body == {
        "errors": [
            {
                "message": f"Internal server error (request id {request_id})",
                "extensions": {"code": "INTERNAL_SERVER_ERROR", "requestId": request_id},
            }
        ]
    }
    [record] = [r for r in caplog.records if r.name == "router.http.graphql_endpoint"]
    assert request_id in record.getMessage()
    assert record.exc_info is not None


async def test_a_safe_incoming_request_id_is_kept_and_reaches_the_engine(
    client: aiohttp.ClientSession, router_url: str
) -> None:
    _, _, body, response = await _post(
        client, router_url, {"query": "{ requestId }"}, headers={"x-request-id": "abc-123"}
    )

    assert response.headers["x-request-id"] == "abc-123"
    assert body == {"data": {"requestId": "abc-123"}}


async def test_an_unsafe_incoming_request_id_is_replaced(
    client: aiohttp.ClientSession, router_url: str
) -> None:
    _, _, body, response = await _post(
        client, router_url, {"query": "{ requestId }"}, headers={"x-request-id": "a b\tc"}
    )

    generated = response.headers["x-request-id"]
    assert generated != "a b\tc"
    assert len(generated) == 32
    assert body == {"data": {"requestId": generated}}
