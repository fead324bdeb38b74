"""GraphQL over Server-Sent Events, distinct connections mode (enisdenjo/graphql-sse
PROTOCOL.md): a GET or POST to ``/graphql`` accepting ``text/event-stream`` gets its result(s)
as ``next`` events and then one ``complete`` event. Problems found before execution
(unparseable or invalid documents, authorization outcomes) arrive as a ``next`` event with the
errors, as the protocol asks; a comment line every ``keepalive_seconds`` keeps idle streams
alive and finds closed connections. The client ends a subscription by closing the stream.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import Any

import orjson
from starlette.responses import StreamingResponse

from router.auth import Principal
from router.errors import RequestError, internal_error_body
from router.subscriptions.server import SHUTTING_DOWN, SubscriptionServer
from router.subscriptions.stream import (
    connection_payload,
    subscription_responses,
    token_deadline,
)
from router.types import JSONObject, RequestContext

EVENT_STREAM = "text/event-stream"
_COMPLETE = b"event: complete\ndata: \n\n"
_KEEPALIVE = b":\n\n"
_END = object()

logger = logging.getLogger(__name__)


def event_stream_response(
    server: SubscriptionServer,
    *,
    method: str,
    query: str,
    operation_name: str | None,
    variables: dict[str, Any] | None,
    principal: Principal | None,
    context: RequestContext,
    headers: dict[str, str],
) -> StreamingResponse:
    return StreamingResponse(
        _events(server, method, query, operation_name, variables, principal, context),
        media_type=EVENT_STREAM,
        headers={
            "cache-control": "no-cache",
            "x-accel-buffering": "no",
            **headers,
        },
    )


def _next(result: JSONObject) -> bytes:
    return b"event: next\ndata: " + orjson.dumps(result) + b"\n\n"


async def _events(
    server: SubscriptionServer,
    method: str,
    query: str,
    operation_name: str | None,
    variables: dict[str, Any] | None,
    principal: Principal | None,
    context: RequestContext,
) -> AsyncIterator[bytes]:
    queue: asyncio.Queue[Any] = asyncio.Queue(16)
    producer = asyncio.create_task(
        _produce(server, queue, method, query, operation_name, variables, principal, context)
    )
    server.streams.add(queue)
    try:
        while True:
            try:
                async with asyncio.timeout(server.keepalive_seconds):
                    item = await queue.get()
            except TimeoutError:
                yield _KEEPALIVE
                continue
            if item is _END:
                break
            yield _next(item)
            if item is SHUTTING_DOWN:
                break
        yield _COMPLETE
    finally:
        server.streams.discard(queue)
        producer.cancel()
        await asyncio.gather(producer, return_exceptions=True)


async def _produce(
    server: SubscriptionServer,
    queue: asyncio.Queue[Any],
    method: str,
    query: str,
    operation_name: str | None,
    variables: dict[str, Any] | None,
    principal: Principal | None,
    context: RequestContext,
) -> None:
    try:
        await _results(server, queue, method, query, operation_name, variables, principal, context)
    except asyncio.CancelledError:
        raise
    except Exception:
        logger.exception("event stream %s failed unexpectedly", context.request_id)
        await queue.put(internal_error_body(context.request_id))
    await queue.put(_END)


async def _results(
    server: SubscriptionServer,
    queue: asyncio.Queue[Any],
    method: str,
    query: str,
    operation_name: str | None,
    variables: dict[str, Any] | None,
    principal: Principal | None,
    context: RequestContext,
) -> None:
    engine = server.engine
    try:
        prepared = engine.prepare(query, operation_name, principal=principal)
        if method == "GET" and prepared.operation_type == "mutation":
            raise RequestError(
                [
                    {
                        "message": "A mutation can only be sent with POST, not GET",
                        "extensions": {"code": "BAD_REQUEST"},
                    }
                ]
            )
        if prepared.operation_type != "subscription":
            await queue.put(await engine.execute(prepared, variables, context))
            return
        execution = engine.subscribe(prepared, variables, context)
    except RequestError as error:
        await queue.put({"errors": error.errors})
        return
    responses = subscription_responses(
        execution,
        server.upstreams,
        connection_payload(context.headers, server.forwarded_headers),
        token_deadline(principal),
    )
    try:
        async for response in responses:
            await queue.put(response)
    finally:
        await responses.aclose()
