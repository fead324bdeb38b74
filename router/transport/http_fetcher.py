"""Subgraph requests over HTTP: the router's ``SubgraphFetcher`` on a pooled keep-alive client."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import orjson

from router.config import REQUEST_ID_HEADER
from router.errors import SubgraphUnavailable
from router.telemetry.fetch import traced
from router.telemetry.hooks import add_trace_headers, record_answer
from router.transport.fetch_timing import current_fetch_timing
from router.transport.http_client import (
    HttpProtocolError,
    KeepAliveClient,
    ServerDisconnected,
    SubgraphConnectError,
    encode_headers,
)
from router.transport.instances import (
    Instance,
    InstancePool,
    SubgraphInstances,
    every_instance_out,
)
from router.types import JSONObject, RequestContext, SubgraphRequest

if TYPE_CHECKING:
    from router.telemetry.requests import RouterTelemetry

FORWARDED_FOR_HEADER = "x-forwarded-for"
# The client's own User-Agent goes on as it is (identity names a session's device by it); like
# X-Forwarded-For it is not part of a shared request's auth context.
USER_AGENT_HEADER = "user-agent"
REQUEST_HEADERS: Mapping[str, str] = {
    "content-type": "application/json",
    "accept": "application/graphql-response+json, application/json",
}

logger = logging.getLogger(__name__)


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

    A subgraph may have several instances (``SubgraphInstances``): each request goes to the
    next healthy one. When a query cannot connect, or its connection closes before any answer,
    it is sent again on each other healthy instance in turn; an instance that refuses the
    connection is taken out. Mutations are never sent twice and timeouts are never retried
    (the request may still be running). ``set_endpoints`` replaces the URLs at runtime.

    With ``telemetry``, each fetch the engine makes (``__call__``) is counted per subgraph and,
    when tracing, runs under a ``router.fetch`` span (``router.telemetry.fetch``); without it,
    or with metrics and tracing both off, nothing is recorded. Health probes (``fetch``) never
    are.
    """

    def __init__(
        self,
        client: KeepAliveClient,
        subgraph_urls: Mapping[str, str | Sequence[str]] | SubgraphInstances,
        *,
        timeout_seconds: float,
        forwarded_headers: Iterable[str] = (),
        subgraph_timeouts: Mapping[str, float] | None = None,
        deduplicate: bool = False,
        telemetry: RouterTelemetry | None = None,
    ) -> None:
        """``client`` connects (its own connect timeout); ``timeout_seconds`` (or the
        subgraph's entry of ``subgraph_timeouts``) bounds each whole request, retries included.
        ``subgraph_urls``: one URL or several per subgraph, or the router's shared
        ``SubgraphInstances``."""
        self._client = client
        self.instances = (
            subgraph_urls
            if isinstance(subgraph_urls, SubgraphInstances)
            else SubgraphInstances(subgraph_urls)
        )
        self._timeout = timeout_seconds
        self._timeouts = dict(subgraph_timeouts or {})
        self._forwarded_headers = tuple(name.lower() for name in forwarded_headers)
        self._deduplicate = deduplicate
        self._in_flight: dict[tuple[str, bytes, bytes], asyncio.Task[_Answer]] = {}
        self._metrics = None if telemetry is None else telemetry.metrics
        self._tracer = None if telemetry is None else telemetry.tracer

    async def __call__(
        self, subgraph: str, request: SubgraphRequest, context: RequestContext
    ) -> JSONObject:
        metrics, tracer = self._metrics, self._tracer
        if metrics is None and tracer is None:
            return await self.fetch(subgraph, request, context)
        children = None if metrics is None else metrics.subgraph(subgraph)
        started = time.perf_counter()
        try:
            if tracer is None:
                response = await self.fetch(subgraph, request, context)
            else:
                response = await traced(
                    tracer, subgraph, request.operation_name, self.fetch(subgraph, request, context)
                )
        except SubgraphUnavailable:
            if children is not None:
                children.fetch_unavailable(time.perf_counter() - started)
            raise
        if children is not None:
            children.fetch_answered(time.perf_counter() - started, with_errors="errors" in response)
        return response

    async def fetch(
        self,
        subgraph: str,
        request: SubgraphRequest,
        context: RequestContext,
        *,
        timeout_seconds: float | None = None,
    ) -> JSONObject:
        pool = self.instances.pools.get(subgraph)
        if pool is None:
            raise SubgraphUnavailable(subgraph, "the supergraph gives it no URL")
        if timeout_seconds is None:
            timeout_seconds = self._timeouts.get(subgraph, self._timeout)
        body = orjson.dumps(_request_body(request))
        try:
            headers, auth = self._headers(context)
        except HttpProtocolError as error:
            raise _unavailable(subgraph, error, timeout_seconds) from error
        query = request.operation_kind == "query"  # only queries may be sent twice or shared
        timing = current_fetch_timing.get()
        if timing is not None:
            timing.started()
        try:
            if not self._deduplicate or not query:
                status, payload = await self._send(pool, body, headers, timeout_seconds, query)
            else:
                status, payload = await self._send_shared(
                    pool, body, headers, auth, timeout_seconds
                )
        finally:
            if timing is not None:
                timing.finished()
        return _graphql_response(subgraph, status, payload)

    def set_endpoints(self, endpoints: Mapping[str, str | Sequence[str]]) -> None:
        """Send each subgraph's requests to these URLs from now on; requests in flight finish
        where they are. Instances whose URL stays keep their health."""
        self.instances.set_endpoints(endpoints)

    async def _send_shared(
        self,
        pool: InstancePool,
        body: bytes,
        headers: bytes,
        auth: bytes,
        limit_seconds: float,
    ) -> _Answer:
        key = (pool.subgraph, body, auth)
        shared = self._in_flight.get(key)
        if shared is None:
            shared = asyncio.ensure_future(self._send(pool, body, headers, limit_seconds, True))
            self._in_flight[key] = shared
            shared.add_done_callback(lambda _: self._in_flight.pop(key, None))
        # A caller that goes away (client disconnected) must not cancel the others' request.
        return await asyncio.shield(shared)

    async def _send(
        self,
        pool: InstancePool,
        body: bytes,
        headers: bytes,
        limit_seconds: float,
        query: bool,
    ) -> _Answer:
        instance = pool.choose()
        if instance is None:
            raise SubgraphUnavailable(pool.subgraph, every_instance_out(pool))
        tried: list[Instance] | None = None  # built on the first failure only
        resent = False
        deadline = asyncio.get_running_loop().time() + limit_seconds
        try:
            while True:
                try:
                    return record_answer(
                        instance.url,
                        await self._client.post(instance.url, body, headers, deadline),
                    )
                except SubgraphConnectError as error:
                    if instance.take_out(str(error)):
                        logger.warning(
                            "subgraph %s instance %s taken out: %s",
                            pool.subgraph,
                            instance.url,
                            error,
                        )
                    failure: OSError = error
                except ServerDisconnected as error:
                    # Usually a pooled keep-alive connection the subgraph closed while
                    # idle: a query is sent again once on a fresh connection.
                    if query and not resent:
                        resent = True
                        continue
                    failure = error
                if not query:
                    raise failure  # a mutation may have reached the subgraph
                tried = [instance] if tried is None else [*tried, instance]
                untried = pool.choose_untried(tried)
                if untried is None:
                    raise failure
                instance = untried
        except (OSError, HttpProtocolError) as error:  # TimeoutError is an OSError too
            raise _unavailable(pool.subgraph, error, limit_seconds) from error

    def _headers(self, context: RequestContext) -> tuple[bytes, bytes]:
        """The header lines of a request for ``context`` and, for sharing requests, the lines
        of its forwarded headers alone (its auth context). Built on the context's first fetch
        and kept on it (they depend on nothing else); the current span's trace is added per
        fetch when tracing."""
        cached = context.subgraph_headers
        if cached is not None and cached[0] is self:
            _, lines, auth = cached
        else:
            forwarded = {}
            for name in self._forwarded_headers:
                value = context.headers.get(name)
                if value is not None:
                    forwarded[name] = value
            headers = dict(REQUEST_HEADERS)
            if context.request_id:
                headers[REQUEST_ID_HEADER] = context.request_id
            headers.update(forwarded)
            user_agent = context.headers.get(USER_AGENT_HEADER)
            if user_agent is not None:
                headers.setdefault(USER_AGENT_HEADER, user_agent)
            if context.client_address:
                earlier = context.headers.get(FORWARDED_FOR_HEADER)
                headers[FORWARDED_FOR_HEADER] = (
                    f"{earlier}, {context.client_address}" if earlier else context.client_address
                )
            lines, auth = encode_headers(headers), encode_headers(forwarded)
            context.subgraph_headers = (self, lines, auth)
        trace: dict[str, str] = {}
        add_trace_headers(trace)
        return (lines + encode_headers(trace) if trace else lines), auth


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
