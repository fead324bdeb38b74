"""``/graphql``: the request pipeline, one step per module."""

from __future__ import annotations

import logging
import time
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from router.config import REQUEST_ID_HEADER
from router.errors import RequestError, SubgraphUnavailable
from router.http.authenticate import WWW_AUTHENTICATE, authenticate
from router.http.client_address import connection_client_origin
from router.http.csrf import check_preflighted
from router.http.execute import execute_operation
from router.http.graphql_request import parse_graphql_request
from router.http.prepare import prepare_operation
from router.http.rate_limit import RateLimited
from router.http.request_errors import SUBGRAPH_UNAVAILABLE, internal_error_body
from router.http.request_id import request_id_for
from router.http.serialise import (
    accepts_event_stream,
    graphql_response,
    negotiate_media_type,
    server_timing,
)
from router.http.state import router_state
from router.logging_setup import REQUEST_ID
from router.subscriptions.sse import event_stream_response
from router.telemetry.requests import observe_operation, observe_result, planning
from router.types import RequestContext

logger = logging.getLogger(__name__)

ALLOWED_METHODS = "GET, POST"


async def graphql_endpoint(request: Request) -> Response:
    started = time.perf_counter()
    state = router_state(request)
    request_id = request_id_for(request)
    REQUEST_ID.set(request_id)  # for the logs of this request (router.logging_setup)
    media_type = negotiate_media_type(request.headers.get("accept"))
    status_code = 200
    body: dict[str, Any]
    subgraph_seconds = 0.0
    retry_after: int | None = None
    # The same address counts for the rate limits and goes on to subgraphs (X-Forwarded-For).
    origin = connection_client_origin(request, state.config.trusted_proxies)
    client_address = origin.address
    try:
        rate_limiter = state.rate_limiter
        if rate_limiter is not None:
            await rate_limiter.check_address(client_address)
        check_preflighted(request.method, request.headers, state.config.csrf)
        graphql_request = await parse_graphql_request(
            request,
            max_body_bytes=state.config.max_request_bytes,
            persisted_queries=state.persisted_queries,
        )
        principal = await authenticate(request, state.verifier)
        if rate_limiter is not None:
            await rate_limiter.check_user(principal)
        if state.subscriptions is not None and accepts_event_stream(request.headers.get("accept")):
            # GraphQL over SSE: results (and problems found before execution) as events.
            return event_stream_response(
                state.subscriptions,
                method=graphql_request.method,
                query=graphql_request.query,
                operation_name=graphql_request.operation_name,
                variables=graphql_request.variables,
                principal=principal,
                context=RequestContext(
                    headers=origin.headers_for_subgraphs(request.headers),
                    request_id=request_id,
                    client_address=client_address,
                ),
                headers={REQUEST_ID_HEADER: request_id},
            )
        with planning(request):
            prepared = prepare_operation(state.engine, graphql_request, principal)
        observe_operation(request, graphql_request.operation_name, prepared)
        context = RequestContext(
            headers=origin.headers_for_subgraphs(request.headers),
            request_id=request_id,
            client_address=client_address,
        )
        execution = await execute_operation(
            state.engine,
            prepared,
            graphql_request,
            context,
            principal=principal,
            deduplicator=state.deduplicator,
            forwarded_headers=state.config.forwarded_headers,
            measure_fetches=state.config.server_timing,
        )
        body, subgraph_seconds = execution.body, execution.subgraph_seconds
    except RateLimited as error:
        body, status_code = {"errors": error.errors}, error.status_code
        retry_after = error.retry_after_seconds
    except RequestError as error:
        body, status_code = {"errors": error.errors}, error.status_code
    except SubgraphUnavailable as error:
        # The engine turns unreachable subgraphs into partial results; this is the safety net.
        logger.warning("request %s: %s", request_id, error)
        body = {"errors": [{"message": str(error), "extensions": {"code": SUBGRAPH_UNAVAILABLE}}]}
        status_code = 502
    except Exception:
        logger.exception("request %s failed unexpectedly", request_id)
        body, status_code = internal_error_body(request_id), 500
    observe_result(request, body)
    headers: dict[str, str] | None = None
    if status_code == 405:
        headers = {"allow": ALLOWED_METHODS}
    elif status_code == 401:
        headers = {"www-authenticate": WWW_AUTHENTICATE}
    elif retry_after is not None:
        headers = {"retry-after": str(retry_after)}
    response = graphql_response(
        body,
        status_code=status_code,
        media_type=media_type,
        request_id=request_id,
        headers=headers,
    )
    if state.config.server_timing:
        response.headers["server-timing"] = server_timing(
            subgraph_seconds, time.perf_counter() - started
        )
    return response
