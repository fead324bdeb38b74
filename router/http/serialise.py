"""Pipeline step 4: the GraphQL response as HTTP, in the media type the client accepts."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

import orjson
from starlette.responses import Response

from router.config import REQUEST_ID_HEADER

GRAPHQL_RESPONSE_MEDIA_TYPE = "application/graphql-response+json"
JSON_MEDIA_TYPE = "application/json"
EVENT_STREAM_MEDIA_TYPE = "text/event-stream"


@lru_cache(maxsize=256)  # clients send few distinct Accept headers; parsing each is not cheap
def negotiate_media_type(accept: str | None) -> str:
    """``application/graphql-response+json`` when the client names it at least as highly as
    ``application/json``; otherwise (no header, wildcards, legacy clients) ``application/json``.
    """
    if not accept:
        return JSON_MEDIA_TYPE
    weights = _accepted_weights(accept)
    graphql_weight = weights.get(GRAPHQL_RESPONSE_MEDIA_TYPE, 0.0)
    if graphql_weight > 0 and graphql_weight >= weights.get(JSON_MEDIA_TYPE, 0.0):
        return GRAPHQL_RESPONSE_MEDIA_TYPE
    return JSON_MEDIA_TYPE


@lru_cache(maxsize=256)
def accepts_event_stream(accept: str | None) -> bool:
    """Whether the client asks for ``text/event-stream`` (GraphQL over SSE) at least as
    highly as any JSON media type."""
    if not accept or EVENT_STREAM_MEDIA_TYPE not in accept.lower():
        return False
    weights = _accepted_weights(accept)
    stream = weights.get(EVENT_STREAM_MEDIA_TYPE, 0.0)
    return stream > 0 and stream >= max(
        weights.get(GRAPHQL_RESPONSE_MEDIA_TYPE, 0.0), weights.get(JSON_MEDIA_TYPE, 0.0)
    )


def graphql_response(
    body: Mapping[str, Any],
    *,
    status_code: int,
    media_type: str,
    request_id: str,
    headers: Mapping[str, str] | None = None,
) -> Response:
    response_headers = {REQUEST_ID_HEADER: request_id, **(headers or {})}
    return Response(
        orjson.dumps(body),
        status_code=status_code,
        media_type=f"{media_type}; charset=utf-8",
        headers=response_headers,
    )


def server_timing(subgraph_seconds: float, total_seconds: float) -> str:
    """The ``Server-Timing`` value (``EHB_ROUTER_SERVER_TIMING=1``): ``subgraphs`` is the wall
    time at least one subgraph fetch was in flight, ``total`` the router's time for the request
    (from the endpoint's start to the serialised body), both in milliseconds; their difference
    is the router's own overhead."""
    return f"subgraphs;dur={subgraph_seconds * 1000:.3f}, total;dur={total_seconds * 1000:.3f}"


def _accepted_weights(accept: str) -> dict[str, float]:
    weights: dict[str, float] = {}
    for item in accept.split(","):
        media_type, *parameters = (part.strip() for part in item.split(";"))
        weight = 1.0
        for parameter in parameters:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        key = media_type.lower()
        weights[key] = max(weight, weights.get(key, 0.0))
    return weights
