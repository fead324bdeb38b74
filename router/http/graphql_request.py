"""Pipeline step 1: turn an HTTP request into a GraphQL request (GraphQL over HTTP).

POST carries ``{query, operationName, variables, extensions}`` as ``application/json``; GET
carries the same keys as query parameters, ``variables`` and ``extensions`` JSON-encoded (the
query string no longer than the body limit). The document is ``query`` or, with persisted
queries (``router.operation.persisted_queries``), the one ``extensions.persistedQuery`` names.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import orjson
from starlette.requests import ClientDisconnect, Request

from router.http.request_errors import bad_request
from router.operation.persisted_queries import PersistedQueries

JSON_MEDIA_TYPE = "application/json"


@dataclass(frozen=True, slots=True)
class GraphQLRequest:
    method: Literal["GET", "POST"]
    query: str
    operation_name: str | None = None
    variables: dict[str, Any] | None = None
    extensions: dict[str, Any] | None = None


async def parse_graphql_request(
    request: Request,
    *,
    max_body_bytes: int,
    persisted_queries: PersistedQueries | None = None,
) -> GraphQLRequest:
    """Raises ``RequestError`` (400, 405, 413, 414 or 415; persisted query errors) when the
    request is not usable."""
    method: Literal["GET", "POST"]
    if request.method == "GET":
        method = "GET"
        if len(request.scope["query_string"]) > max_body_bytes:
            raise bad_request(
                f"The query string is longer than {max_body_bytes} bytes: send the request "
                "with POST",
                status_code=414,
            )
        payload: Mapping[str, Any] = _query_parameters(request.query_params)
    elif request.method == "POST":
        method = "POST"
        _check_content_type(request.headers.get("content-type"))
        payload = _json_body(await _read_body(request, max_body_bytes))
    else:
        raise bad_request(
            f"GraphQL requests are sent with GET or POST, not {request.method}", status_code=405
        )
    extensions = _object_or_none("extensions", payload.get("extensions"))
    if persisted_queries is None:
        query = _query(payload.get("query"))
    else:
        query = await persisted_queries.resolve(_optional_query(payload.get("query")), extensions)
    return GraphQLRequest(
        method=method,
        query=query,
        operation_name=_operation_name(payload.get("operationName")),
        variables=_object_or_none("variables", payload.get("variables")),
        extensions=extensions,
    )


def _check_content_type(content_type: str | None) -> None:
    if content_type is None:
        raise bad_request(
            f"A POST request needs the header Content-Type: {JSON_MEDIA_TYPE}", status_code=415
        )
    media_type, *parameters = (part.strip() for part in content_type.split(";"))
    if media_type.lower() != JSON_MEDIA_TYPE:
        raise bad_request(
            f"Unsupported Content-Type {media_type!r}: send {JSON_MEDIA_TYPE}", status_code=415
        )
    for parameter in parameters:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset" and value.strip().strip('"').lower() != "utf-8":
            raise bad_request(f"Unsupported charset {value.strip()!r}: send utf-8", status_code=415)


async def _read_body(request: Request, max_body_bytes: int) -> bytes:
    too_large = bad_request(
        f"The request body is larger than {max_body_bytes} bytes", status_code=413
    )
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > max_body_bytes:
        raise too_large
    chunks: list[bytes] = []
    size = 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > max_body_bytes:
                raise too_large
            chunks.append(chunk)
    except ClientDisconnect:
        raise bad_request("The client disconnected before sending the whole body") from None
    return b"".join(chunks)


def _json_body(body: bytes) -> dict[str, Any]:
    try:
        payload = orjson.loads(body)
    except orjson.JSONDecodeError as error:
        raise bad_request(f"The request body is not valid JSON: {error.msg}") from None
    if isinstance(payload, list):
        raise bad_request("Batched requests (a JSON array) are not supported")
    if not isinstance(payload, dict):
        raise bad_request("The request body must be a JSON object")
    return payload


def _query_parameters(parameters: Mapping[str, str]) -> dict[str, Any]:
    return {
        "query": parameters.get("query"),
        "operationName": parameters.get("operationName") or None,
        "variables": _decode_parameter("variables", parameters),
        "extensions": _decode_parameter("extensions", parameters),
    }


def _decode_parameter(name: str, parameters: Mapping[str, str]) -> Any:
    raw = parameters.get(name)
    if raw is None or raw == "":
        return None
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise bad_request(f"The {name!r} query parameter is not valid JSON") from None


def _query(value: Any) -> str:
    if value is None:
        raise bad_request("The request has no 'query': send the GraphQL document as 'query'")
    if not isinstance(value, str):
        raise bad_request("'query' must be a string holding a GraphQL document")
    if not value.strip():
        raise bad_request("'query' is empty")
    return value


def _optional_query(value: Any) -> str | None:
    """A persisted query may come without its document (APQ, safelisted ids)."""
    return None if value is None else _query(value)


def _operation_name(value: Any) -> str | None:
    if value is not None and not isinstance(value, str):
        raise bad_request("'operationName' must be a string or null")
    return value


def _object_or_none(name: str, value: Any) -> dict[str, Any] | None:
    if value is not None and not isinstance(value, dict):
        raise bad_request(f"'{name}' must be a JSON object or null")
    return value
