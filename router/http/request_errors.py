"""GraphQL error bodies for requests the router refuses before or outside execution."""

from __future__ import annotations

from router.errors import INTERNAL_SERVER_ERROR, RequestError, internal_error_body

BAD_REQUEST = "BAD_REQUEST"
SUBGRAPH_UNAVAILABLE = "SUBGRAPH_UNAVAILABLE"


def bad_request(message: str, *, status_code: int = 400) -> RequestError:
    """A request the GraphQL-over-HTTP layer cannot use (malformed body, wrong method...)."""
    return RequestError(
        [{"message": message, "extensions": {"code": BAD_REQUEST}}], status_code=status_code
    )


__all__ = [
    "BAD_REQUEST",
    "INTERNAL_SERVER_ERROR",
    "SUBGRAPH_UNAVAILABLE",
    "bad_request",
    "internal_error_body",
]
