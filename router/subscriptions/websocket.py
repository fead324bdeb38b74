"""``graphql-transport-ws`` on ``/graphql`` (enisdenjo/graphql-ws PROTOCOL.md).

- The client has ``init_timeout_seconds`` to send ``connection_init`` (else close 4408); a
  second one closes with 4429. Its payload's ``Authorization`` (or the upgrade request's
  header) is verified like an HTTP request's: a bad token closes with 4403, unavailable keys
  with 4500; then ``connection_ack``.
- ``subscribe`` before the ack closes with 4401, with an id already running with 4409; a
  message that is not valid JSON, of an unknown type or malformed closes with 4400.
- Queries and mutations answer one ``next`` and ``complete``; subscriptions a ``next`` per
  event, then ``complete`` (an upstream failure or an expired token: a ``next`` carrying the
  errors, then ``complete``). Requests the router refuses before execution answer ``error``.
- Once the caller's token has expired, every operation is refused with ``error``
  (``UNAUTHENTICATED``); running subscriptions end as said above.
- ``admit`` (the router's edge defences: rate limits, persisted queries) turns each
  ``subscribe`` payload into the document to run or refuses it with ``error``; a message longer
  than ``max_message_bytes`` closes with 1009.
- ``ping`` is answered with ``pong``; the server pings every ``keepalive_seconds`` after ack.
- A client ``complete`` or a disconnect cancels its subscriptions (and their upstreams).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import orjson
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

from router.auth import Principal
from router.errors import RequestError, internal_error_body
from router.subscriptions.server import SubscriptionServer
from router.subscriptions.stream import (
    TOKEN_EXPIRED,
    connection_payload,
    subscription_responses,
    token_deadline,
)
from router.types import RequestContext

logger = logging.getLogger(__name__)

PROTOCOL = "graphql-transport-ws"
BAD_REQUEST = 4400
UNAUTHORIZED = 4401
FORBIDDEN = 4403
SUBPROTOCOL_NOT_ACCEPTABLE = 4406
INIT_TIMEOUT = 4408
SUBSCRIBER_EXISTS = 4409
TOO_MANY_INITIALISATION_REQUESTS = 4429
INTERNAL_SERVER_ERROR = 4500
MESSAGE_TOO_BIG = 1009

# The document a ``subscribe`` payload runs for the connection's principal; raises
# ``RequestError`` to refuse it (sent as an ``error`` message).
AdmitOperation = Callable[[dict[str, Any], Principal | None], Awaitable[str]]


class _Close(Exception):
    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


class _Connection:
    """One client socket and the operations running on it."""

    def __init__(
        self,
        server: SubscriptionServer,
        websocket: WebSocket,
        request_id: str,
        client_address: str,
        admit: AdmitOperation | None = None,
        max_message_bytes: int | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.server = server
        self.client_address = client_address
        self.admit = admit
        self.max_message_bytes = max_message_bytes
        self.websocket = websocket
        self.request_id = request_id
        self.acknowledged = False
        self.initialised = False
        self.principal: Principal | None = None
        passed_on = websocket.headers if headers is None else headers
        self.headers: dict[str, str] = {k.lower(): v for k, v in passed_on.items()}
        self.operations: dict[str, asyncio.Task[None]] = {}
        self._send_lock = asyncio.Lock()

    async def send(self, message: dict[str, Any]) -> None:
        """Send unless the socket is gone (the read loop then sees the disconnect and
        cancels every operation)."""
        async with self._send_lock:
            if self.websocket.application_state != WebSocketState.CONNECTED:
                return
            try:
                await self.websocket.send_text(orjson.dumps(message).decode())
            except (WebSocketDisconnect, RuntimeError, OSError):
                return

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        init_deadline = loop.time() + self.server.init_timeout_seconds
        keepalive: asyncio.Task[None] | None = None
        try:
            while True:
                if self.initialised:
                    message = await self.websocket.receive()
                else:
                    try:
                        async with asyncio.timeout_at(init_deadline):
                            message = await self.websocket.receive()
                    except TimeoutError:
                        raise _Close(INIT_TIMEOUT, "Connection initialisation timeout") from None
                if message["type"] == "websocket.disconnect":
                    return
                raw = message.get("text")
                if raw is None:
                    raw = message.get("bytes")
                if self.max_message_bytes is not None and _too_big(raw, self.max_message_bytes):
                    raise _Close(MESSAGE_TOO_BIG, "Message too big")
                await self.handle(_decode(raw))
                if self.acknowledged and keepalive is None:
                    keepalive = asyncio.create_task(self._keepalive())
        except _Close as close:
            await self._close(close.code, close.reason)
        except WebSocketDisconnect:
            pass
        finally:
            if keepalive is not None:
                keepalive.cancel()
            tasks = list(self.operations.values())
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    async def _close(self, code: int, reason: str) -> None:
        async with self._send_lock:
            if self.websocket.application_state == WebSocketState.CONNECTED:
                await self.websocket.close(code, reason)

    async def _keepalive(self) -> None:
        while True:
            await asyncio.sleep(self.server.keepalive_seconds)
            await self.send({"type": "ping"})

    async def handle(self, message: dict[str, Any]) -> None:
        kind = message.get("type")
        if kind == "connection_init":
            await self._init(message.get("payload"))
        elif kind == "ping":
            await self.send({"type": "pong"})
        elif kind == "pong":
            return
        elif kind == "subscribe":
            self._subscribe(message)
        elif kind == "complete":
            operation_id = message.get("id")
            if not isinstance(operation_id, str):
                raise _Close(BAD_REQUEST, "Invalid message: 'complete' needs an id")
            task = self.operations.pop(operation_id, None)
            if task is not None:
                task.cancel()
        else:
            raise _Close(BAD_REQUEST, f"Invalid message type {_shown(kind)}")

    async def _init(self, payload: Any) -> None:
        if self.initialised:
            raise _Close(TOO_MANY_INITIALISATION_REQUESTS, "Too many initialisation requests")
        if payload is not None and not isinstance(payload, dict):
            raise _Close(
                BAD_REQUEST, "Invalid message: the connection_init payload must be an object"
            )
        self.initialised = True
        authorization = _authorization(payload) or self.headers.get("authorization")
        try:
            self.principal = await self.server.authenticate(authorization)
        except RequestError as error:
            if error.status_code == 401:
                raise _Close(FORBIDDEN, "Forbidden") from None
            raise _Close(INTERNAL_SERVER_ERROR, "The access token cannot be verified now") from None
        if authorization is None:
            self.headers.pop("authorization", None)
        else:
            self.headers["authorization"] = authorization
        self.acknowledged = True
        await self.send({"type": "connection_ack"})

    def _subscribe(self, message: dict[str, Any]) -> None:
        if not self.acknowledged:
            raise _Close(UNAUTHORIZED, "Unauthorized")
        operation_id = message.get("id")
        payload = message.get("payload")
        if not isinstance(operation_id, str) or not operation_id:
            raise _Close(BAD_REQUEST, "Invalid message: 'subscribe' needs an id")
        if not isinstance(payload, dict) or not (
            isinstance(payload.get("query"), str)
            or (self.admit is not None and "query" not in payload and "extensions" in payload)
        ):
            raise _Close(BAD_REQUEST, "Invalid message: 'subscribe' needs a payload with a query")
        name = payload.get("operationName")
        variables = payload.get("variables")
        if (name is not None and not isinstance(name, str)) or (
            variables is not None and not isinstance(variables, dict)
        ):
            raise _Close(BAD_REQUEST, "Invalid message: bad operationName or variables")
        if operation_id in self.operations:
            raise _Close(SUBSCRIBER_EXISTS, f"Subscriber for {operation_id} already exists")
        task = asyncio.create_task(self._operation(operation_id, payload, name, variables))
        self.operations[operation_id] = task

    async def _operation(
        self,
        operation_id: str,
        payload: dict[str, Any],
        operation_name: str | None,
        variables: dict[str, Any] | None,
    ) -> None:
        engine = self.server.engine
        context = RequestContext(
            headers=dict(self.headers),
            request_id=self.request_id,
            client_address=self.client_address,
        )
        deadline = token_deadline(self.principal)
        try:
            if deadline is not None and deadline <= time.time():
                # The socket outlived its token: nothing more runs on it.
                await self.send(
                    {"id": operation_id, "type": "error", "payload": TOKEN_EXPIRED["errors"]}
                )
                return
            try:
                query = (
                    payload["query"]
                    if self.admit is None
                    else await self.admit(payload, self.principal)
                )
                prepared = engine.prepare(query, operation_name, principal=self.principal)
                if prepared.operation_type != "subscription":
                    result = await engine.execute(prepared, variables, context)
                    await self.send({"id": operation_id, "type": "next", "payload": result})
                    await self.send({"id": operation_id, "type": "complete"})
                    return
                execution = engine.subscribe(prepared, variables, context)
            except RequestError as error:
                await self.send({"id": operation_id, "type": "error", "payload": error.errors})
                return
            responses = subscription_responses(
                execution,
                self.server.upstreams,
                connection_payload(context.headers, self.server.forwarded_headers),
                deadline,
            )
            try:
                async for response in responses:
                    await self.send({"id": operation_id, "type": "next", "payload": response})
            finally:
                await responses.aclose()
            await self.send({"id": operation_id, "type": "complete"})
        except asyncio.CancelledError:
            raise
        except Exception:
            logger.exception("subscription %s failed unexpectedly", operation_id)
            await self.send(
                {
                    "id": operation_id,
                    "type": "error",
                    "payload": internal_error_body(self.request_id)["errors"],
                }
            )
        finally:
            if self.operations.get(operation_id) is asyncio.current_task():
                del self.operations[operation_id]


async def serve_websocket(
    server: SubscriptionServer,
    websocket: WebSocket,
    request_id: str,
    *,
    client_address: str,
    admit: AdmitOperation | None = None,
    max_message_bytes: int | None = None,
    headers: Mapping[str, str] | None = None,
) -> None:
    """Run one client's graphql-transport-ws connection until either side closes it;
    ``client_address``: the client's address as the router works it out (its operations'
    subgraph requests carry it in ``X-Forwarded-For``); ``headers``: the client's headers as
    passed on to subgraphs, the WebSocket's own by default."""
    offered = websocket.scope.get("subprotocols") or []
    if PROTOCOL not in offered:
        await websocket.accept()
        await websocket.close(SUBPROTOCOL_NOT_ACCEPTABLE, "Subprotocol not acceptable")
        return
    await websocket.accept(subprotocol=PROTOCOL)
    await _Connection(
        server, websocket, request_id, client_address, admit, max_message_bytes, headers
    ).run()


def _decode(raw: str | bytes | None) -> dict[str, Any]:
    if raw is None:
        raise _Close(BAD_REQUEST, "Invalid message: empty")
    try:
        message = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise _Close(BAD_REQUEST, "Invalid message: not JSON") from None
    if not isinstance(message, dict) or not isinstance(message.get("type"), str):
        raise _Close(BAD_REQUEST, "Invalid message: not an object with a type")
    return message


def _too_big(raw: str | bytes | None, limit: int) -> bool:
    if raw is None or len(raw) <= limit // 4:  # a character is at most 4 bytes in UTF-8
        return False
    return len(raw if isinstance(raw, bytes) else raw.encode()) > limit


def _authorization(payload: dict[str, Any] | None) -> str | None:
    if not payload:
        return None
    for key, value in payload.items():
        if isinstance(key, str) and key.lower() == "authorization" and isinstance(value, str):
            return value
    return None


def _shown(kind: Any) -> str:
    return repr(kind) if isinstance(kind, str) and len(kind) <= 32 else "(unknown)"
