"""A subgraph that closes an idle pooled connection: queries are retried, mutations are not."""

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest

from router.errors import SubgraphUnavailable
from router.transport import HttpSubgraphFetcher, KeepAliveClient
from router.types import RequestContext, SubgraphRequest

BODY = b'{"data": {"a": "ok"}}'
RESPONSE = (
    b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n"
    + f"content-length: {len(BODY)}\r\nconnection: close\r\n\r\n".encode()
    + BODY
)


@dataclass
class HangUpOnFirstConnection:
    """Closes its first connection without answering, answers every later one."""

    connections: int = 0
    requests_seen: list[bytes] = field(default_factory=list)

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        head = await reader.readuntil(b"\r\n\r\n")
        self.requests_seen.append(head)
        length = next(
            int(line.split(b":")[1])
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"content-length")
        )
        await reader.readexactly(length)
        if self.connections > 1:
            writer.write(RESPONSE)
            await writer.drain()
        writer.close()


@pytest.fixture
async def hang_up_server() -> AsyncIterator[tuple[HangUpOnFirstConnection, str]]:
    behaviour = HangUpOnFirstConnection()
    server = await asyncio.start_server(behaviour.handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    yield behaviour, f"http://127.0.0.1:{port}/graphql"
    server.close()
    await server.wait_closed()


async def test_a_query_is_retried_once_when_the_connection_is_closed_unanswered(
    subgraph_client: KeepAliveClient,
    hang_up_server: tuple[HangUpOnFirstConnection, str],
) -> None:
    behaviour, url = hang_up_server
    fetcher = HttpSubgraphFetcher(subgraph_client, {"s": url}, timeout_seconds=2)

    response = await fetcher(
        "s", SubgraphRequest(query="query { a }", operation_kind="query"), RequestContext()
    )

    assert response == {"data": {"a": "ok"}}
    assert behaviour.connections == 2


async def test_a_mutation_is_never_sent_twice(
    subgraph_client: KeepAliveClient,
    hang_up_server: tuple[HangUpOnFirstConnection, str],
) -> None:
    behaviour, url = hang_up_server
    fetcher = HttpSubgraphFetcher(subgraph_client, {"s": url}, timeout_seconds=2)

    with pytest.raises(SubgraphUnavailable, match="closed the connection before answering"):
        await fetcher(
            "s",
            SubgraphRequest(query="mutation { a }", operation_kind="mutation"),
            RequestContext(),
        )

    assert behaviour.connections == 1
