"""Subgraph requests over HTTP: the router's ``SubgraphFetcher`` on a pooled aiohttp session."""

from __future__ import annotations

import asyncio
import os
import re
from collections.abc import Iterable, Mapping
from typing import Any

import aiohttp
import orjson

from router.config import REQUEST_ID_HEADER
from router.errors import SubgraphUnavailable
from router.transport.fetch_timing import current_fetch_timing
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
        session: aiohttp.ClientSession,
        subgraph_urls: Mapping[str, str],
        *,
        timeout_seconds: float,
        connect_timeout_seconds: float | None = None,
        forwarded_headers: Iterable[str] = (),
        subgraph_timeouts: Mapping[str, float] | None = None,
        deduplicate: bool = False,
    ) -> None:
        self._session = session
        self._urls = dict(subgraph_urls)
        self._timeout_seconds = timeout_seconds
        self._connect_timeout_seconds = connect_timeout_seconds
        # A per-request timeout replaces the session's whole ClientTimeout, connect part included.
        self._timeouts = {
            name: (seconds, self._client_timeout(seconds))
            for name, seconds in (
                (name, (subgraph_timeouts or {}).get(name, timeout_seconds)) for name in self._urls
            )
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
        if timeout_seconds is None:
            timeout, client_timeout = self._timeouts[subgraph]
        else:
            timeout, client_timeout = timeout_seconds, self._client_timeout(timeout_seconds)
        body = orjson.dumps(_request_body(request))
        headers = self._headers(context)
        mutation = _MUTATION.match(request.query) is not None
        timing = current_fetch_timing.get()
        if timing is not None:
            timing.started()
        try:
            if not self._deduplicate or mutation:
                status, payload = await self._send(
                    subgraph, url, body, headers, client_timeout, timeout, mutation
                )
            else:
                status, payload = await self._send_shared(
                    subgraph, url, body, headers, client_timeout, timeout
                )
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
        client_timeout: aiohttp.ClientTimeout,
        limit_seconds: float,
    ) -> _Answer:
        key = (subgraph, body, tuple(headers.get(name) for name in self._forwarded_headers))
        shared = self._in_flight.get(key)
        if shared is None:
            shared = asyncio.ensure_future(
                self._send(subgraph, url, body, headers, client_timeout, limit_seconds, False)
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
        client_timeout: aiohttp.ClientTimeout,
        limit_seconds: float,
        mutation: bool,
    ) -> _Answer:
        # A pooled keep-alive connection the subgraph closed while idle fails at once: retry
        # once on a fresh connection, but never a mutation (it may have reached the subgraph).
        attempts = 1 if mutation else 2
        for attempt in range(1, attempts + 1):
            try:
                return await self._post(url, body, headers, client_timeout)
            except aiohttp.ServerDisconnectedError as error:
                if attempt == attempts:
                    raise _unavailable(subgraph, error, limit_seconds) from error
            except (aiohttp.ClientError, TimeoutError, OSError) as error:
                raise _unavailable(subgraph, error, limit_seconds) from error
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _client_timeout(self, total_seconds: float) -> aiohttp.ClientTimeout:
        return aiohttp.ClientTimeout(
            total=total_seconds, sock_connect=self._connect_timeout_seconds
        )

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

    async def _post(
        self,
        url: str,
        body: bytes,
        headers: Mapping[str, str],
        client_timeout: aiohttp.ClientTimeout,
    ) -> tuple[int, bytes]:
        async with self._session.post(
            url, data=body, headers=headers, timeout=client_timeout
        ) as response:
            return response.status, await response.read()


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
    if isinstance(error, aiohttp.ClientConnectorError):
        errno = error.os_error.errno
        cause = os.strerror(errno) if errno else str(error.os_error)
        return SubgraphUnavailable(
            subgraph, f"cannot connect to {error.host}:{error.port}: {cause}"
        )
    if isinstance(error, aiohttp.ServerDisconnectedError):
        return SubgraphUnavailable(subgraph, "the subgraph closed the connection before answering")
    return SubgraphUnavailable(subgraph, f"HTTP transport error: {error!r}")


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
