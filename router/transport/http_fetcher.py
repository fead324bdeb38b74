"""Subgraph requests over HTTP: the router's ``SubgraphFetcher`` on a pooled keep-alive client."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterable, Mapping
from typing import Any

import orjson

from router.config import REQUEST_ID_HEADER
from router.errors import SubgraphUnavailable
from router.transport.fetch_timing import current_fetch_timing
from router.transport.http_client import (
    HttpProtocolError,
    KeepAliveClient,
    ServerDisconnected,
    SubgraphConnectError,
)
from router.types import JSONObject, RequestContext, SubgraphRequest

FORWARDED_FOR_HEADER = "x-forwarded-for"
REQUEST_HEADERS: Mapping[str, str] = {
    "content-type": "application/json",
    "accept": "application/graphql-response+json, application/json",
}
# Only operations without side effects may be sent twice.
_MUTATION = re.compile(r"^\s*mutation\b")


_Answer = tuple[int, bytes]


class HttpSubgraphFetcher:
    """Sends GraphQL requests to subgraphs by name; implements ``router.types.SubgraphFetcher``.

    A response whose body is a GraphQL response (a JSON object with ``data`` or ``errors``) is
    returned whatever its HTTP status: subgraph errors are data. Anything else raises
    ``SubgraphUnavailable`` with a reason a person can act on.

    Each subgraph has its own timeout (``subgraph_timeouts``, else ``timeout_seconds``). With
    ``deduplicate``, identical queries in flight at the same time (same subgraph, body and
    forwarded headers, so the same auth context) share one HTTP request; every caller decodes
    its own copy of the answer, since the executor merges responses in place. Mutations are
    never shared.
    """

    def __init__(
        self,
        client: KeepAliveClient,
        subgraph_urls: Mapping[str, str],
        *,
        timeout_seconds: float,
        forwarded_headers: Iterable[str] = (),
        subgraph_timeouts: Mapping[str, float] | None = None,
        deduplicate: bool = False,
    ) -> None:
        """``client`` connects (its own connect timeout); ``timeout_seconds`` (or the
        subgraph's entry of ``subgraph_timeouts``) bounds each whole request."""
        self._client = client
        self._urls = dict(subgraph_urls)
        self._timeouts = {
            name: (subgraph_timeouts or {}).get(name, timeout_seconds) for name in self._urls
        }
        self._forwarded_headers = tuple(name.lower() for name in forwarded_headers)
        self._deduplicate = deduplicate
        self._in_flight: dict[tuple[str, bytes, tuple[str | None, ...]], asyncio.Task[_Answer]] = {}

    async def __call__(
        self, subgraph: str, request: SubgraphRequest, context: RequestContext
    ) -> JSONObject:
        return await self.fetch(subgraph, request, context)

    async def fetch(
        self,
        subgraph: str,
        request: SubgraphRequest,
        context: RequestContext,
        *,
        timeout_seconds: float | None = None,
    ) -> JSONObject:
        url = self._urls.get(subgraph)
        if url is None:
            raise SubgraphUnavailable(subgraph, "the supergraph gives it no URL")
        timeout = self._timeouts[subgraph] if timeout_seconds is None else timeout_seconds
        body = orjson.dumps(_request_body(request))
        headers = self._headers(context)
        mutation = _MUTATION.match(request.query) is not None
        timing = current_fetch_timing.get()
        if timing is not None:
            timing.started()
        try:
            if not self._deduplicate or mutation:
                status, payload = await self._send(subgraph, url, body, headers, timeout, mutation)
            else:
                status, payload = await self._send_shared(subgraph, url, body, headers, timeout)
        finally:
            if timing is not None:
                timing.finished()
        return _graphql_response(subgraph, status, payload)

    async def _send_shared(
        self,
        subgraph: str,
        url: str,
        body: bytes,
        headers: Mapping[str, str],
        limit_seconds: float,
    ) -> _Answer:
        key = (subgraph, body, tuple(headers.get(name) for name in self._forwarded_headers))
        shared = self._in_flight.get(key)
        if shared is None:
            shared = asyncio.ensure_future(
                self._send(subgraph, url, body, headers, limit_seconds, False)
            )
            self._in_flight[key] = shared
            shared.add_done_callback(lambda _: self._in_flight.pop(key, None))
        # A caller that goes away (client disconnected) must not cancel the others' request.
        return await asyncio.shield(shared)

    async def _send(
        self,
        subgraph: str,
        url: str,
        body: bytes,
        headers: Mapping[str, str],
        limit_seconds: float,
        mutation: bool,
    ) -> _Answer:
        # A pooled keep-alive connection the subgraph closed while idle fails at once: retry
        # once on a fresh connection, but never a mutation (it may have reached the subgraph).
        attempts = 1 if mutation else 2
        try:
            async with asyncio.timeout(limit_seconds):
                for attempt in range(1, attempts + 1):
                    try:
                        return await self._client.post(url, body, headers)
                    except ServerDisconnected:
                        if attempt == attempts:
                            raise
        except (OSError, HttpProtocolError) as error:  # TimeoutError is an OSError too
            raise _unavailable(subgraph, error, limit_seconds) from error
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _headers(self, context: RequestContext) -> dict[str, str]:
        headers = dict(REQUEST_HEADERS)
        if context.request_id:
            headers[REQUEST_ID_HEADER] = context.request_id
        for name in self._forwarded_headers:
            value = context.headers.get(name)
            if value is not None:
                headers[name] = value
        if context.client_address:
            earlier = context.headers.get(FORWARDED_FOR_HEADER)
            headers[FORWARDED_FOR_HEADER] = (
                f"{earlier}, {context.client_address}" if earlier else context.client_address
            )
        return headers


def _request_body(request: SubgraphRequest) -> dict[str, Any]:
    body: dict[str, Any] = {"query": request.query}
    if request.variables:
        body["variables"] = request.variables
    if request.operation_name is not None:
        body["operationName"] = request.operation_name
    return body


def _unavailable(subgraph: str, error: BaseException, timeout: float) -> SubgraphUnavailable:
    if isinstance(error, TimeoutError):
        return SubgraphUnavailable(subgraph, f"no response within {timeout:g}s")
    if isinstance(error, SubgraphConnectError):
        return SubgraphUnavailable(subgraph, str(error))
    if isinstance(error, ServerDisconnected):
        return SubgraphUnavailable(subgraph, "the subgraph closed the connection before answering")
    return SubgraphUnavailable(subgraph, f"HTTP transport error: {error}")


def _graphql_response(subgraph: str, status: int, payload: bytes) -> JSONObject:
    try:
        decoded = orjson.loads(payload) if payload else None
    except orjson.JSONDecodeError:
        raise SubgraphUnavailable(
            subgraph, f"HTTP {status} with a body that is not JSON: {_excerpt(payload)}"
        ) from None
    if isinstance(decoded, dict) and ("data" in decoded or "errors" in decoded):
        return decoded
    if payload == b"":
        raise SubgraphUnavailable(subgraph, f"HTTP {status} with an empty body")
    raise SubgraphUnavailable(
        subgraph, f"HTTP {status} with a JSON body that is not a GraphQL response"
    )


def _excerpt(payload: bytes, limit: int = 80) -> str:
    text = payload[:limit].decode("utf-8", errors="replace").strip()
    return repr(text + ("…" if len(payload) > limit else ""))
