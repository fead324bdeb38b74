"""``/graphql`` over WebSocket: the ``graphql-transport-ws`` protocol (``router.subscriptions``)."""

from __future__ import annotations

from starlette.websockets import WebSocket

from router.http.request_id import request_id_for
from router.http.state import router_state
from router.subscriptions.websocket import INTERNAL_SERVER_ERROR, serve_websocket


async def graphql_websocket(websocket: WebSocket) -> None:
    state = router_state(websocket)
    if state.subscriptions is None:
        await websocket.close(INTERNAL_SERVER_ERROR, "This router serves no subscriptions")
        return
    await serve_websocket(state.subscriptions, websocket, request_id_for(websocket))
