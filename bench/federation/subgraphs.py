"""The benchmark's four subgraphs (tests/fixtures/benchmark: accounts, inventory, products,
reviews over data.json), served fast enough never to be what a gateway waits for.

One process, one event loop (uvloop), one port per subgraph, each a minimal keep-alive HTTP/1.1
server (asyncio protocol + httptools). A POST body is answered by executing it with that
subgraph's Strawberry schema the first time, and from memory every later time the same bytes
arrive: the data never changes, so an identical request has an identical answer. Every POST is
counted per subgraph; ``GET /stats`` on any port answers the counts of all four (JSON), which is
how the benchmark measures subgraph requests per client request; ``GET /heaviest`` answers the
request seen so far with the largest response (for measuring the subgraphs' own throughput).

    python -m bench.federation.subgraphs   # prints {"accounts": "http://127.0.0.1:N/graphql", ...}
"""

from __future__ import annotations

import asyncio
import functools
import signal
import sys
from typing import Any

import httptools
import orjson
import uvloop
from strawberry.federation import Schema

from tests.fixtures.benchmark.loopback import bind_ephemeral_socket
from tests.fixtures.benchmark.subgraph_servers import BENCHMARK_SUBGRAPH_SCHEMAS

MAX_CACHED_RESPONSES = 10_000  # per subgraph; the benchmark query needs a handful

_counts: dict[str, int] = dict.fromkeys(BENCHMARK_SUBGRAPH_SCHEMAS, 0)
_services: list[SubgraphService] = []


def _response(status: str, body: bytes, *, close: bool = False) -> bytes:
    connection = "connection: close\r\n" if close else ""
    head = (
        f"HTTP/1.1 {status}\r\ncontent-type: application/json\r\n"
        f"content-length: {len(body)}\r\n{connection}\r\n"
    )
    return head.encode() + body


class SubgraphService:
    """Answers GraphQL POST bodies for one subgraph, caching the encoded response per body."""

    def __init__(self, name: str, schema: Schema) -> None:
        self.name = name
        self.schema = schema
        self.cache: dict[bytes, bytes] = {}

    async def answer(self, body: bytes) -> bytes:
        _counts[self.name] += 1
        cached = self.cache.get(body)
        if cached is not None:
            return cached
        response = _response("200 OK", await self._execute(body))
        if len(self.cache) < MAX_CACHED_RESPONSES:
            self.cache[body] = response
        return response

    async def _execute(self, body: bytes) -> bytes:
        try:
            request = orjson.loads(body)
        except orjson.JSONDecodeError:
            return orjson.dumps({"errors": [{"message": "the body is not JSON"}]})
        if not isinstance(request, dict) or not isinstance(request.get("query"), str):
            return orjson.dumps({"errors": [{"message": "the body has no `query` string"}]})
        result = await self.schema.execute(
            request["query"],
            variable_values=request.get("variables"),
            operation_name=request.get("operationName"),
        )
        answer: dict[str, Any] = {"data": result.data}
        if result.errors:
            answer["errors"] = [error.formatted for error in result.errors]
        return orjson.dumps(answer)


class HttpConnection(asyncio.Protocol):
    """One client connection: parses requests with httptools and answers them in order."""

    def __init__(self, service: SubgraphService) -> None:
        self.service = service
        self.parser = httptools.HttpRequestParser(self)
        self.transport: asyncio.WriteTransport | None = None
        self.url = b""
        self.body: list[bytes] = []
        self.pending: asyncio.Task[None] | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]  # a stream protocol's transport

    def data_received(self, data: bytes) -> None:
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError:
            self._write(_response("400 Bad Request", b'{"errors":[]}', close=True))
            self._close()

    def connection_lost(self, exc: Exception | None) -> None:
        self.transport = None

    # httptools callbacks
    def on_message_begin(self) -> None:
        self.url = b""
        self.body = []

    def on_url(self, url: bytes) -> None:
        self.url += url

    def on_body(self, body: bytes) -> None:
        self.body.append(body)

    def on_message_complete(self) -> None:
        method = self.parser.get_method()
        keep_alive = self.parser.should_keep_alive()
        if method == b"GET" and self.url.startswith(b"/stats"):
            self._then(self._static(_response("200 OK", orjson.dumps(_counts))), keep_alive)
        elif method == b"GET" and self.url.startswith(b"/heaviest"):
            self._then(self._static(_response("200 OK", _heaviest_request())), keep_alive)
        elif method == b"POST":
            self._then(self.service.answer(b"".join(self.body)), keep_alive)
        else:
            self._then(self._static(_response("405 Method Not Allowed", b"{}")), keep_alive)

    @staticmethod
    async def _static(response: bytes) -> bytes:
        return response

    def _then(self, answering: Any, keep_alive: bool) -> None:
        """Writes the answer once it (and any earlier one on this connection) is ready."""
        previous = self.pending

        async def respond() -> None:
            response: bytes = await answering
            if previous is not None:
                await previous
            self._write(response)
            if not keep_alive:
                self._close()

        self.pending = asyncio.ensure_future(respond())

    def _write(self, data: bytes) -> None:
        if self.transport is not None:
            self.transport.write(data)

    def _close(self) -> None:
        if self.transport is not None:
            self.transport.close()


def _heaviest_request() -> bytes:
    """The cached request with the largest response so far, as JSON
    {"subgraph", "request" (the body, text), "response_bytes"}; {} before any."""
    heaviest: dict[str, Any] = {}
    for service in _services:
        for request, response in service.cache.items():
            if len(response) > heaviest.get("response_bytes", -1):
                heaviest = {
                    "subgraph": service.name,
                    "request": request.decode(),
                    "response_bytes": len(response),
                }
    return orjson.dumps(heaviest)


async def serve_subgraphs() -> dict[str, str]:
    loop = asyncio.get_running_loop()
    urls: dict[str, str] = {}
    for name, schema in BENCHMARK_SUBGRAPH_SCHEMAS.items():
        service = SubgraphService(name, schema)
        _services.append(service)
        sock = bind_ephemeral_socket()
        await loop.create_server(
            functools.partial(HttpConnection, service), sock=sock, backlog=1024
        )
        urls[name] = f"http://127.0.0.1:{sock.getsockname()[1]}/graphql"
    return urls


async def main() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    urls = await serve_subgraphs()
    sys.stdout.write(orjson.dumps(urls).decode() + "\n")
    sys.stdout.flush()
    await stop.wait()


if __name__ == "__main__":
    uvloop.run(main())
