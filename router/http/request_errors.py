"""GraphQL error bodies for requests the router refuses before or outside execution."""

from __future__ import annotations

from typing import Any

from router.errors import RequestError

BAD_REQUEST = "BAD_REQUEST"
INTERNAL_SERVER_ERROR = "INTERNAL_SERVER_ERROR"
SUBGRAPH_UNAVAILABLE = "SUBGRAPH_UNAVAILABLE"


def bad_request(message: str, *, status_code: int = 400) -> RequestError:
    """A request the GraphQL-over-HTTP layer cannot use (malformed body, wrong method...)."""
    return RequestError(
        [{"message": message, "extensions": {"code": BAD_REQUEST}}], status_code=status_code
    )


def internal_error_body(request_id: str) -> dict[str, Any]:
    """What a client sees of an unexpected failure: the request id to quote, never a traceback."""
    return {
        "errors": [
            {
                "message": f"Internal server error (request id {request_id})",
                "extensions": {"code": INTERNAL_SERVER_ERROR, "requestId": request_id},
            }
        ]
    }
