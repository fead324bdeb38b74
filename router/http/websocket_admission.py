"""The router's edge defences for WebSocket clients: rate limits per connection attempt and per
``subscribe`` message, persisted queries for ``subscribe`` payloads (as over HTTP)."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.responses import Response
from starlette.websockets import WebSocket

from router.auth import Principal
from router.http.rate_limit import RateLimited, RateLimiter
from router.http.request_errors import bad_request
from router.operation.persisted_queries import PersistedQueries

TRY_AGAIN_LATER = 1013


async def refuse_connection(websocket: WebSocket, error: RateLimited) -> None:
    """Answer the upgrade request with HTTP 429 (when the server can send a denial response),
    else close with 1013 (try again later)."""
    if "websocket.http.response" in websocket.scope.get("extensions", {}):
        await websocket.send_denial_response(
            Response(
                orjson.dumps({"errors": error.errors}),
                status_code=error.status_code,
                media_type="application/json",
                headers={"retry-after": str(error.retry_after_seconds)},
            )
        )
    else:
        await websocket.close(TRY_AGAIN_LATER, "Too many requests: try again later")


class OperationAdmission:
    """``router.subscriptions.websocket.AdmitOperation`` for one connection."""

    def __init__(
        self,
        client_address: str,
        rate_limiter: RateLimiter | None,
        persisted_queries: PersistedQueries | None,
    ) -> None:
        self._client_address = client_address
        self._rate_limiter = rate_limiter
        self._persisted_queries = persisted_queries

    async def __call__(self, payload: dict[str, Any], principal: Principal | None) -> str:
        if self._rate_limiter is not None:
            await self._rate_limiter.check_address(self._client_address)
            await self._rate_limiter.check_user(principal)
        query = payload.get("query")
        extensions = payload.get("extensions")
        if extensions is not None and not isinstance(extensions, dict):
            raise bad_request("'extensions' must be a JSON object or null")
        if self._persisted_queries is not None:
            return await self._persisted_queries.resolve(query, extensions)
        if not isinstance(query, str):
            raise bad_request("The subscribe payload has no 'query'")
        return query
