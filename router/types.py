"""Type aliases shared by every layer of the router (a leaf module: imports nothing from router)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeAlias

JSON: TypeAlias = Any
JSONObject: TypeAlias = dict[str, Any]
Variables: TypeAlias = Mapping[str, Any]
ResponsePath: TypeAlias = list[str | int]


@dataclass(frozen=True, slots=True)
class SubgraphRequest:
    """One GraphQL request the router sends to a subgraph."""

    query: str
    variables: JSONObject = field(default_factory=dict)
    operation_name: str | None = None
    # "query", "mutation" or "subscription": only queries may be sent twice (to another
    # instance) or shared with identical requests in flight. Always given by name.
    operation_kind: str = field(kw_only=True)


@dataclass(slots=True)
class RequestContext:
    """What the router knows about the client request while executing it."""

    headers: Mapping[str, str] = field(default_factory=dict)
    request_id: str = ""
    # The client's address as the router saw it; subgraphs get it appended to X-Forwarded-For
    # (identity throttles sign-ins per address).
    client_address: str = ""
    # The subgraph transport's header lines derived from this context, built on the first
    # fetch of the request and reused by the others: (the fetcher that built them, all lines,
    # the forwarded headers' lines).
    subgraph_headers: tuple[object, bytes, bytes] | None = field(
        default=None, compare=False, repr=False
    )


class SubgraphFetcher(Protocol):
    """Sends one request to the named subgraph and returns its decoded JSON response body.

    Raises ``router.errors.SubgraphUnavailable`` when the subgraph cannot be reached or
    answers with something that is not a GraphQL response (connection refused, timeout,
    non-JSON body, HTTP 5xx without a GraphQL body).
    """

    async def __call__(
        self, subgraph: str, request: SubgraphRequest, context: RequestContext
    ) -> JSONObject: ...
