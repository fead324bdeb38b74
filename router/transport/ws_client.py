"""Subgraph subscriptions over WebSocket: a ``graphql-transport-ws`` client on aiohttp.

One connection carries one subscription (``subscribe_over_websocket``): connection_init with
the forwarded headers as payload (``{"Authorization": "Bearer ..."}``), connection_ack, one
``subscribe``, then every ``next`` payload is yielded. The subgraph's pings are answered; when
nothing arrives for ``keepalive_seconds`` the client pings, and a subgraph silent for another
``keepalive_seconds`` is given up. Every way the stream can end other than the subgraph's
``complete`` raises ``SubgraphUnavailable`` (refused connection, handshake or ack timeout,
close, a malformed message; an ``error`` message raises its subclass
``SubscriptionRefused``), so consumers never hang on a dead upstream.
Closing the generator sends ``complete`` and closes the socket. When the router traces,
opening the subscription is its ``router.subscribe`` span (``router.telemetry.upstream``) and
the upgrade request carries that span's ``traceparent``.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator, Mapping
from typing import Any

import aiohttp
import orjson
from opentelemetry.trace import Tracer

from router.errors import SubgraphUnavailable
from router.telemetry.upstream import opening_subscription
from router.types import JSONObject, SubgraphRequest

PROTOCOL = "graphql-transport-ws"
SUBSCRIPTION_ID = "1"


class SubscriptionRefused(SubgraphUnavailable):
    """The subgraph answered ``subscribe`` with an ``error`` message: ``errors`` are its
    GraphQL errors (validation, authorization...), to pass on to clients."""

    def __init__(self, subgraph: str, payload: Any) -> None:
        super().__init__(subgraph, _error_reason(payload))
        self.errors: list[dict[str, Any]] = (
            [e for e in payload if isinstance(e, dict)] if isinstance(payload, list) else []
        )


class WebSocketNotOpened(SubgraphUnavailable):
    """No WebSocket could be opened: nothing reached the subgraph, another instance may do."""


def websocket_url(http_url: str) -> str:
    """The subgraph's GraphQL URL with the ws(s) scheme."""
    if http_url.startswith("https://"):
        return "wss://" + http_url[len("https://") :]
    if http_url.startswith("http://"):
        return "ws://" + http_url[len("http://") :]
    return http_url


async def subscribe_over_websocket(
    session: aiohttp.ClientSession,
    subgraph: str,
    url: str,
    request: SubgraphRequest,
    *,
    connection_payload: Mapping[str, str],
    connect_timeout_seconds: float,
    keepalive_seconds: float,
    tracer: Tracer | None = None,
) -> AsyncGenerator[JSONObject, None]:
    """Each ``next`` payload (a GraphQL response) of one upstream subscription; returns when
    the subgraph completes it; raises ``SubgraphUnavailable`` for anything else. With
    ``tracer``, opening it is the ``router.subscribe`` span, whose trace the upgrade carries."""
    ws: aiohttp.ClientWebSocketResponse | None = None
    completed = False
    try:
        address = websocket_url(url)
        with opening_subscription(tracer, subgraph, request.operation_name, address) as headers:
            ws = await _connect(session, subgraph, address, headers)
            await _start(ws, subgraph, request, connection_payload, connect_timeout_seconds)
        pinged = False
        while True:
            try:
                message = await ws.receive(timeout=keepalive_seconds)
            except TimeoutError:
                if pinged:
                    raise SubgraphUnavailable(
                        subgraph, "the subscription's WebSocket stopped answering pings"
                    ) from None
                await ws.send_str('{"type":"ping"}')
                pinged = True
                continue
            pinged = False
            decoded = _decode(message, subgraph)
            kind = decoded.get("type")
            if kind == "ping":
                await ws.send_str('{"type":"pong"}')
            elif kind == "pong":
                continue
            elif decoded.get("id") != SUBSCRIPTION_ID:
                raise SubgraphUnavailable(subgraph, f"unexpected {kind!r} message")
            elif kind == "next":
                result = decoded.get("payload")
                if not isinstance(result, dict):
                    raise SubgraphUnavailable(subgraph, "a 'next' message without a result")
                yield result
            elif kind == "complete":
                completed = True
                return
            elif kind == "error":
                raise SubscriptionRefused(subgraph, decoded.get("payload"))
            else:
                raise SubgraphUnavailable(subgraph, f"unexpected {kind!r} message")
    finally:
        if ws is not None and not ws.closed:
            if not completed:
                with contextlib.suppress(aiohttp.ClientError, OSError, RuntimeError):
                    await ws.send_str(_text({"id": SUBSCRIPTION_ID, "type": "complete"}))
            await asyncio.shield(ws.close())


async def _connect(
    session: aiohttp.ClientSession, subgraph: str, address: str, headers: Mapping[str, str]
) -> aiohttp.ClientWebSocketResponse:
    try:
        return await session.ws_connect(
            address,
            protocols=(PROTOCOL,),
            headers=headers,
            timeout=aiohttp.ClientWSTimeout(ws_receive=None, ws_close=2.0),
            autoping=True,
            heartbeat=None,
        )
    except (TimeoutError, aiohttp.ClientError, OSError) as error:
        raise WebSocketNotOpened(subgraph, f"cannot open a WebSocket: {error}") from None


async def _start(
    ws: aiohttp.ClientWebSocketResponse,
    subgraph: str,
    request: SubgraphRequest,
    connection_payload: Mapping[str, str],
    connect_timeout_seconds: float,
) -> None:
    """connection_init, connection_ack, then the one ``subscribe``."""
    if ws.protocol != PROTOCOL:
        raise SubgraphUnavailable(subgraph, f"the WebSocket does not speak {PROTOCOL}")
    await ws.send_str(_text({"type": "connection_init", "payload": dict(connection_payload)}))
    await _wait_for_ack(ws, subgraph, connect_timeout_seconds)
    payload: dict[str, Any] = {"query": request.query, "variables": request.variables}
    if request.operation_name is not None:
        payload["operationName"] = request.operation_name
    await ws.send_str(_text({"id": SUBSCRIPTION_ID, "type": "subscribe", "payload": payload}))


async def _wait_for_ack(
    ws: aiohttp.ClientWebSocketResponse, subgraph: str, timeout_seconds: float
) -> None:
    try:
        async with asyncio.timeout(timeout_seconds):
            while True:
                decoded = _decode(await ws.receive(), subgraph)
                if decoded.get("type") == "connection_ack":
                    return
                if decoded.get("type") == "ping":
                    await ws.send_str('{"type":"pong"}')
                elif decoded.get("type") != "pong":
                    raise SubgraphUnavailable(
                        subgraph, f"expected connection_ack, got {decoded.get('type')!r}"
                    )
    except TimeoutError:
        raise SubgraphUnavailable(
            subgraph, f"no connection_ack within {timeout_seconds:g} s"
        ) from None


def _text(message: dict[str, Any]) -> str:
    return orjson.dumps(message).decode()


def _decode(message: aiohttp.WSMessage, subgraph: str) -> dict[str, Any]:
    if message.type in (aiohttp.WSMsgType.TEXT, aiohttp.WSMsgType.BINARY):
        try:
            decoded = orjson.loads(message.data)
        except orjson.JSONDecodeError:
            raise SubgraphUnavailable(subgraph, "a WebSocket message is not JSON") from None
        if not isinstance(decoded, dict):
            raise SubgraphUnavailable(subgraph, "a WebSocket message is not a JSON object")
        return decoded
    if message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSING):
        code = message.data
        reason = f" ({message.extra})" if message.extra else ""
        raise SubgraphUnavailable(subgraph, f"the WebSocket closed with code {code}{reason}")
    if message.type == aiohttp.WSMsgType.CLOSED:
        raise SubgraphUnavailable(subgraph, "the WebSocket closed")
    raise SubgraphUnavailable(subgraph, f"WebSocket failure: {message.data!r}")


def _error_reason(payload: Any) -> str:
    if isinstance(payload, list):
        messages = [str(e.get("message")) for e in payload if isinstance(e, dict)]
        if messages:
            return "the subscription failed: " + "; ".join(messages)
    return "the subscription failed"
