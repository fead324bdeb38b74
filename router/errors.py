"""The router's exceptions: few and flat."""

from __future__ import annotations

from typing import Any


class RouterError(Exception):
    """Base class of every error the router raises on purpose."""


class SupergraphError(RouterError):
    """The supergraph SDL cannot be served (not Federation 2, malformed join directives...)."""


class RequestError(RouterError):
    """The client's request is unusable as a whole: answered with HTTP 4xx and no ``data``.

    ``errors`` are GraphQL error objects (``message``, optional ``locations``,
    ``extensions.code``), ready to serialise.
    """

    def __init__(self, errors: list[dict[str, Any]], status_code: int = 400) -> None:
        super().__init__("; ".join(str(error.get("message")) for error in errors))
        self.errors = errors
        self.status_code = status_code


class SubgraphUnavailable(RouterError):
    """A subgraph could not be reached or did not answer with a GraphQL response."""

    def __init__(self, subgraph: str, reason: str) -> None:
        super().__init__(f"subgraph '{subgraph}' is unavailable: {reason}")
        self.subgraph = subgraph
        self.reason = reason


class QueryPlanningError(RouterError):
    """The planner found no way to resolve an operation against the supergraph."""


INTERNAL_SERVER_ERROR = "INTERNAL_SERVER_ERROR"


def internal_error_body(request_id: str) -> dict[str, Any]:
    """What a client sees of an unexpected failure (over HTTP, SSE or WebSocket): the request id
    to quote, never a traceback."""
    return {
        "errors": [
            {
                "message": f"Internal server error (request id {request_id})",
                "extensions": {"code": INTERNAL_SERVER_ERROR, "requestId": request_id},
            }
        ]
    }
