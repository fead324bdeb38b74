"""The keep-alive HTTP/1.1 client against raw servers: framing, pooling and refusals."""

from __future__ import annotations

import asyncio
import gzip
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

import pytest

from router.transport.http_client import HttpProtocolError, KeepAliveClient, encode_headers

Reply = Callable[[bytes], bytes]


@dataclass
class RawServer:
    url: str
    connections: int = 0
    requests: int = 0
    most_at_once: int = 0
    open_now: int = 0


async def _read_request(reader: asyncio.StreamReader) -> bytes:
    head = await reader.readuntil(b"\r\n\r\n")
    length = next(
        int(line.split(b":")[1])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length")
    )
    return head + await reader.readexactly(length)


def _serve(reply: Reply, delay: float = 0.0) -> Callable[[], Awaitable[RawServer]]:
    async def start() -> RawServer:
        state = RawServer("")

        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            state.connections += 1
            state.open_now += 1
            state.most_at_once = max(state.most_at_once, state.open_now)
            try:
                while True:
                    request = await _read_request(reader)
                    state.requests += 1
                    await asyncio.sleep(delay)
                    answer = reply(request)
                    writer.write(answer)
                    await writer.drain()
                    if b"connection: close" in answer:
                        break
            except (asyncio.IncompleteReadError, ConnectionError):
                pass
            finally:
                state.open_now -= 1
                writer.close()

        server = await asyncio.start_server(handle, "127.0.0.1", 0)
        state.url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}/graphql"
        servers.append(server)
        return state

    return start


servers: list[asyncio.Server] = []


@pytest.fixture
async def client() -> AsyncIterator[KeepAliveClient]:
    client = KeepAliveClient(max_connections_per_origin=2, keepalive_seconds=4)
    yield client
    await client.close()
    for server in servers:
        server.close()
    servers.clear()


def _response(body: bytes, *extra: str) -> bytes:
    head = "".join(f"{line}\r\n" for line in extra)
    return f"HTTP/1.1 200 OK\r\ncontent-length: {len(body)}\r\n{head}\r\n".encode() + body


async def test_a_chunked_gzip_answer_is_decoded(client: KeepAliveClient) -> None:
    compressed = gzip.compress(b'{"data": {"a": 1}}')
    half = len(compressed) // 2
    chunks = b"".join(
        f"{len(part):x}\r\n".encode() + part + b"\r\n"
        for part in (compressed[:half], compressed[half:])
    )
    server = await _serve(
        lambda _: (
            b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n"
            b"content-encoding: gzip\r\n\r\n" + chunks + b"0\r\n\r\n"
        )
    )()

    assert await client.post(server.url, b"{}", {}) == (200, b'{"data": {"a": 1}}')


async def test_connections_are_reused_unless_the_server_says_close(
    client: KeepAliveClient,
) -> None:
    kept = await _serve(lambda _: _response(b"{}"))()
    closing = await _serve(lambda _: _response(b"{}", "connection: close"))()

    for _ in range(3):
        await client.post(kept.url, b"{}", {})
        await client.post(closing.url, b"{}", {})

    assert (kept.connections, kept.requests) == (1, 3)
    assert (closing.connections, closing.requests) == (3, 3)


async def test_requests_beyond_the_pool_limit_wait_for_a_connection(
    client: KeepAliveClient,
) -> None:
    server = await _serve(lambda request: _response(request[-2:]), delay=0.05)()

    answers = await asyncio.gather(
        *(client.post(server.url, b"%02d" % index, {}) for index in range(6))
    )

    assert [body for _, body in answers] == [b"%02d" % index for index in range(6)]
    assert server.most_at_once == 2


async def test_the_request_carries_path_host_headers_and_body(client: KeepAliveClient) -> None:
    seen: list[bytes] = []

    def record(request: bytes) -> bytes:
        seen.append(request)
        return _response(b"{}")

    server = await _serve(record)()
    await client.post(server.url + "?x=1", b'{"q": 1}', {"authorization": "Bearer t"})

    host = server.url.split("/")[2]  # 127.0.0.1:port
    assert seen == [
        b"POST /graphql?x=1 HTTP/1.1\r\nhost: " + host.encode() + b"\r\n"
        b"authorization: Bearer t\r\ncontent-length: 8\r\n\r\n" + b'{"q": 1}'
    ]


async def test_header_lines_encoded_once_are_sent_as_given(client: KeepAliveClient) -> None:
    seen: list[bytes] = []

    def record(request: bytes) -> bytes:
        seen.append(request)
        return _response(b"{}")

    server = await _serve(record)()
    lines = encode_headers({"authorization": "Bearer t", "x-request-id": "r1"})
    await client.post(server.url, b"{}", lines)
    await client.post(server.url, b"{}", lines)

    assert lines == b"authorization: Bearer t\r\nx-request-id: r1\r\n"
    assert len(seen) == 2
    assert all(lines + b"content-length: 2\r\n\r\n{}" in request for request in seen)


async def test_past_the_deadline_the_call_times_out_and_its_connection_is_not_reused(
    client: KeepAliveClient,
) -> None:
    server = await _serve(lambda _: _response(b"{}"), delay=0.3)()
    loop = asyncio.get_running_loop()

    with pytest.raises(TimeoutError):
        await client.post(server.url, b"{}", {}, deadline=loop.time() + 0.05)
    assert await client.post(server.url, b"{}", {}, deadline=loop.time() + 5) == (200, b"{}")

    assert server.connections == 2


async def test_a_deadline_also_bounds_the_wait_for_a_pooled_connection(
    client: KeepAliveClient,
) -> None:
    server = await _serve(lambda _: _response(b"{}"), delay=0.3)()
    loop = asyncio.get_running_loop()
    busy = [asyncio.ensure_future(client.post(server.url, b"{}", {})) for _ in range(2)]
    await asyncio.sleep(0.05)  # both pooled connections (the limit) are now in use

    with pytest.raises(TimeoutError):
        await client.post(server.url, b"{}", {}, deadline=loop.time() + 0.05)
    assert await asyncio.gather(*busy) == [(200, b"{}")] * 2
    assert server.requests == 2


async def test_a_header_value_with_a_line_break_is_refused(client: KeepAliveClient) -> None:
    server = await _serve(lambda _: _response(b"{}"))()

    with pytest.raises(HttpProtocolError, match="line break"):
        await client.post(server.url, b"{}", {"x-evil": "a\r\nx-injected: 1"})
    assert server.requests == 0


async def test_a_malformed_response_is_a_protocol_error(client: KeepAliveClient) -> None:
    server = await _serve(lambda _: b"NOT HTTP AT ALL\r\n\r\n")()

    with pytest.raises(HttpProtocolError, match="malformed HTTP response"):
        await client.post(server.url, b"{}", {})


async def test_a_closed_client_refuses_requests() -> None:
    client = KeepAliveClient()
    await client.close()

    with pytest.raises(RuntimeError, match="closed"):
        await client.post("http://127.0.0.1:1/graphql", b"{}", {})
