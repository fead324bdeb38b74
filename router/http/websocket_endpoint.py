"""``/graphql`` over WebSocket: the ``graphql-transport-ws`` protocol (``router.subscriptions``)."""

from __future__ import annotations

from starlette.websockets import WebSocket

from router.http.client_address import connection_client_origin
from router.http.rate_limit import RateLimited
from router.http.request_id import request_id_for
from router.http.state import router_state
from router.http.websocket_admission import OperationAdmission, refuse_connection
from router.logging_setup import REQUEST_ID
from router.subscriptions.websocket import INTERNAL_SERVER_ERROR, serve_websocket


async def graphql_websocket(websocket: WebSocket) -> None:
    state = router_state(websocket)
    request_id = request_id_for(websocket)
    REQUEST_ID.set(request_id)  # for the logs of this connection (router.logging_setup)
    if state.subscriptions is None:
        await websocket.close(INTERNAL_SERVER_ERROR, "This router serves no subscriptions")
        return
    limiter = state.rate_limiter
    # The same address counts for the rate limits and goes on to subgraphs (X-Forwarded-For).
    origin = connection_client_origin(websocket, state.config.trusted_proxies)
    address = origin.address
    if limiter is not None:
        try:
            await limiter.check_address(address)
        except RateLimited as error:
            await refuse_connection(websocket, error)
            return
    admission = None
    if limiter is not None or state.persisted_queries is not None:
        admission = OperationAdmission(address, limiter, state.persisted_queries)
    await serve_websocket(
        state.subscriptions,
        websocket,
        request_id,
        client_address=address,
        headers=origin.headers_for_subgraphs(websocket.headers),
        admit=admission,
        max_message_bytes=state.config.max_request_bytes,
    )
