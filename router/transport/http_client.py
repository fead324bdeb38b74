"""A minimal keep-alive HTTP/1.1 client for subgraph POSTs: asyncio protocols + httptools.

Subgraph requests are one small POST and one JSON answer over a pooled connection, and the
client's own work was a fifth of the router's CPU with aiohttp (bench/federation/
OPTIMISATIONS.md): this client does only that work. Per origin it keeps a pool of at most
``max_connections`` connections, reuses an idle one younger than ``keepalive_seconds``, and
never pipelines. ``post`` raises ``SubgraphConnectError`` (no connection), ``ServerDisconnected``
(the connection closed before a complete answer: a reused keep-alive connection the server just
timed out is the usual cause, safe to retry for a query), ``HttpProtocolError`` or, after the
caller's deadline, ``TimeoutError``; a connection interrupted by either is closed.
"""

from __future__ import annotations

import asyncio
import os
import ssl
import zlib
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from typing import cast
from urllib.parse import urlsplit

import httptools


class SubgraphConnectError(OSError):
    def __init__(self, host: str, port: int, reason: str) -> None:
        super().__init__(f"cannot connect to {host}:{port}: {reason}")
        self.host, self.port, self.reason = host, port, reason


class ServerDisconnected(ConnectionError):
    """The server closed the connection before a complete response."""


class HttpProtocolError(Exception):
    """The server's bytes are not a usable HTTP/1.1 response."""


class _Connection(asyncio.Protocol):
    """One connection: at most one request in flight; ``response`` resolves with it."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.parser = httptools.HttpResponseParser(self)
        self.response: asyncio.Future[tuple[int, bytes]] | None = None
        self.chunks: list[bytes] = []
        self.encoding = b""
        self.closed = False
        self.reusable = False
        self.idle_since = 0.0

    # asyncio.Protocol
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError as error:
            self._fail(HttpProtocolError(f"malformed HTTP response: {error}"))
            self.close()

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self._fail(ServerDisconnected("the server closed the connection"))

    # httptools callbacks
    def on_header(self, name: bytes, value: bytes) -> None:
        if name.lower() == b"content-encoding":
            self.encoding = value.strip().lower()

    def on_body(self, body: bytes) -> None:
        self.chunks.append(body)

    def on_message_complete(self) -> None:
        response, self.response = self.response, None
        body = b"".join(self.chunks)
        self.chunks = []
        encoding, self.encoding = self.encoding, b""
        self.reusable = self.parser.should_keep_alive()
        if response is None or response.done():
            self.close()  # an answer nobody asked for: the stream is out of step
            return
        try:
            if encoding in (b"gzip", b"x-gzip"):
                body = zlib.decompress(body, 16 + zlib.MAX_WBITS)
            elif encoding == b"deflate":
                body = zlib.decompress(body)
            elif encoding not in (b"", b"identity"):
                raise HttpProtocolError(f"unsupported content-encoding {encoding.decode()!r}")
        except zlib.error as error:
            response.set_exception(HttpProtocolError(f"undecodable {encoding.decode()}: {error}"))
            return
        except HttpProtocolError as error:
            response.set_exception(error)
            return
        response.set_result((self.parser.get_status_code(), body))

    def send(self, data: bytes) -> asyncio.Future[tuple[int, bytes]]:
        assert self.transport is not None
        self.reusable = False
        self.response = asyncio.get_running_loop().create_future()
        self.transport.write(data)
        return self.response

    def close(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.close()

    def _fail(self, error: Exception) -> None:
        response, self.response = self.response, None
        if response is not None and not response.done():
            response.set_exception(error)


@dataclass(frozen=True, slots=True)
class _Target:
    origin: tuple[str, str, int]  # scheme, host, port
    request_line: bytes  # "POST /path HTTP/1.1\r\nhost: ...\r\n"


class _Pool:
    def __init__(self, max_connections: int) -> None:
        self.idle: list[_Connection] = []
        self.open = 0
        self.max_connections = max_connections
        self.waiting: deque[asyncio.Future[None]] = deque()

    def take_idle(self, now: float, keepalive_seconds: float) -> _Connection | None:
        while self.idle:
            connection = self.idle.pop()
            if not connection.closed and now - connection.idle_since < keepalive_seconds:
                return connection
            connection.close()
            self.open -= 1
        return None

    def wake_one(self) -> None:
        while self.waiting:
            waiter = self.waiting.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return


class KeepAliveClient:
    """Pooled keep-alive HTTP/1.1 POSTs; ``close`` on shutdown."""

    def __init__(
        self,
        *,
        max_connections_per_origin: int = 100,
        keepalive_seconds: float = 4.0,
        connect_timeout_seconds: float | None = None,
    ) -> None:
        self._max_connections = max_connections_per_origin
        self._keepalive_seconds = keepalive_seconds
        self._connect_timeout_seconds = connect_timeout_seconds
        self._pools: dict[tuple[str, str, int], _Pool] = {}
        self._targets: dict[str, _Target] = {}
        self._ssl_context: ssl.SSLContext | None = None
        self._closed = False

    async def post(
        self,
        url: str,
        body: bytes,
        headers: Mapping[str, str] | bytes,
        deadline: float | None = None,
    ) -> tuple[int, bytes]:
        """The response status and (decoded) body; RuntimeError once closed. ``headers`` as a
        mapping, or as lines already built by ``encode_headers`` (reused across requests).
        ``deadline`` (the event loop's clock) bounds the whole call: TimeoutError after it."""
        if self._closed:
            raise RuntimeError("the subgraph client is closed")
        target = self._targets.get(url)
        if target is None:
            target = self._targets[url] = _target(url)
        lines = headers if isinstance(headers, bytes) else encode_headers(headers)
        pool = self._pools.get(target.origin)
        if pool is None:
            pool = self._pools[target.origin] = _Pool(self._max_connections)
        loop = asyncio.get_running_loop()
        connection = pool.take_idle(loop.time(), self._keepalive_seconds)
        if connection is None:
            async with asyncio.timeout_at(deadline):
                connection = await self._acquire(pool, target.origin)
        response = connection.send(
            b"%s%scontent-length: %d\r\n\r\n%s" % (target.request_line, lines, len(body), body)
        )
        # A timer on the answer rather than a timeout context: no task cancellation to undo.
        timer = None if deadline is None else loop.call_at(deadline, _expire, response)
        try:
            status, payload = await response
        except BaseException:
            # Failed, timed out or cancelled mid-exchange: the connection's state is unknown.
            self._release(pool, connection, loop, reusable=False)
            raise
        finally:
            if timer is not None:
                timer.cancel()
        self._release(pool, connection, loop, reusable=connection.reusable)
        return status, payload

    async def close(self) -> None:
        self._closed = True
        for pool in self._pools.values():
            for connection in pool.idle:
                connection.close()
            pool.idle.clear()

    async def _acquire(self, pool: _Pool, origin: tuple[str, str, int]) -> _Connection:
        loop = asyncio.get_running_loop()
        while True:
            connection = pool.take_idle(loop.time(), self._keepalive_seconds)
            if connection is not None:
                return connection
            if pool.open < pool.max_connections:
                break
            waiter: asyncio.Future[None] = loop.create_future()
            pool.waiting.append(waiter)
            await waiter
        pool.open += 1
        try:
            return await self._connect(origin)
        except BaseException:
            pool.open -= 1
            pool.wake_one()
            raise

    async def _connect(self, origin: tuple[str, str, int]) -> _Connection:
        scheme, host, port = origin
        loop = asyncio.get_running_loop()
        secure = None
        if scheme == "https":
            if self._ssl_context is None:
                self._ssl_context = ssl.create_default_context()
            secure = self._ssl_context
        try:
            async with asyncio.timeout(self._connect_timeout_seconds):
                transport, connection = await loop.create_connection(
                    _Connection, host, port, ssl=secure, server_hostname=host if secure else None
                )
        except TimeoutError:
            raise SubgraphConnectError(
                host, port, f"no connection within {self._connect_timeout_seconds:g}s"
            ) from None
        except OSError as error:
            reason = os.strerror(error.errno) if error.errno else str(error)
            raise SubgraphConnectError(host, port, reason) from error
        # uvloop may call connection_made only after create_connection returned.
        connection.transport = transport
        return connection

    def _release(
        self,
        pool: _Pool,
        connection: _Connection,
        loop: asyncio.AbstractEventLoop,
        *,
        reusable: bool,
    ) -> None:
        if reusable and not connection.closed and not self._closed:
            connection.idle_since = loop.time()
            pool.idle.append(connection)
        else:
            connection.close()
            pool.open -= 1
        if pool.waiting:
            pool.wake_one()


def _expire(response: asyncio.Future[tuple[int, bytes]]) -> None:
    if not response.done():
        response.set_exception(TimeoutError())


def _target(url: str) -> _Target:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        raise HttpProtocolError(f"not an http(s) URL: {url!r}")
    port = parts.port or (443 if scheme == "https" else 80)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    request_line = f"POST {path} HTTP/1.1\r\nhost: {parts.netloc}\r\n".encode("latin-1")
    return _Target((scheme, parts.hostname, port), request_line)


def encode_headers(headers: Mapping[str, str]) -> bytes:
    """Request header lines (``name: value\\r\\n`` each) for ``KeepAliveClient.post``;
    HttpProtocolError when a value holds a line break or is not ISO-8859-1 text."""
    lines = [f"{name}: {value}\r\n" for name, value in headers.items()]
    text = "".join(lines)
    if text.count("\n") != len(lines) or "\r" in text.replace("\r\n", ""):
        raise HttpProtocolError("a header value holds a line break")
    try:
        return text.encode("latin-1")
    except UnicodeEncodeError:
        raise HttpProtocolError("a header value is not ISO-8859-1 text") from None
