"""Identical queries in flight at once share one subgraph request; mutations, different bodies
and different forwarded headers (another auth context) never do. Timeouts are per subgraph."""

import asyncio
from collections.abc import AsyncIterator

import orjson
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from router.errors import SubgraphUnavailable
from router.transport import HttpSubgraphFetcher, KeepAliveClient
from router.types import RequestContext, SubgraphRequest
from tests.fixtures.benchmark.loopback import LoopbackServer, start_loopback_server

DELAY_SECONDS = 0.2
received: list[dict[str, object]] = []


async def _counting(request: Request) -> JSONResponse:
    body = orjson.loads(await request.body())
    received.append({"body": body, "authorization": request.headers.get("authorization")})
    await asyncio.sleep(DELAY_SECONDS)
    return JSONResponse({"data": {"answer": {"count": len(received)}}})


@pytest.fixture(scope="module")
async def counting_server() -> AsyncIterator[LoopbackServer]:
    app = Starlette(routes=[Route("/graphql", _counting, methods=["POST"])])
    server = await start_loopback_server(app)
    yield server
    await server.stop()


@pytest.fixture
def fetcher_for(
    subgraph_client: KeepAliveClient, counting_server: LoopbackServer
) -> HttpSubgraphFetcher:
    received.clear()
    return HttpSubgraphFetcher(
        subgraph_client,
        {"slow": counting_server.graphql_url, "fast": counting_server.graphql_url},
        timeout_seconds=5.0,
        forwarded_headers=["authorization"],
        subgraph_timeouts={"fast": DELAY_SECONDS / 4},
        deduplicate=True,
    )


async def _ask_together(
    fetcher: HttpSubgraphFetcher, requests: list[tuple[SubgraphRequest, RequestContext]]
) -> list[dict[str, object]]:
    return await asyncio.gather(*(fetcher("slow", req, ctx) for req, ctx in requests))


async def test_identical_queries_in_flight_share_one_request_and_each_gets_its_own_copy(
    fetcher_for: HttpSubgraphFetcher,
) -> None:
    request = SubgraphRequest(
        "query Q($id: ID!) { answer(id: $id) { count } }", {"id": "1"}, operation_kind="query"
    )

    answers = await _ask_together(fetcher_for, [(request, RequestContext())] * 5)

    assert len(received) == 1
    assert all(answer == {"data": {"answer": {"count": 1}}} for answer in answers)
    answers[0]["data"]["answer"]["merged"] = True  # type: ignore[index]
    assert "merged" not in answers[1]["data"]["answer"]  # type: ignore[index]


async def test_a_query_sent_after_the_first_one_finished_is_sent_again(
    fetcher_for: HttpSubgraphFetcher,
) -> None:
    request = SubgraphRequest("{ answer { count } }", operation_kind="query")
    await fetcher_for("slow", request, RequestContext())
    await fetcher_for("slow", request, RequestContext())

    assert len(received) == 2


async def test_different_variables_or_forwarded_headers_are_never_shared(
    fetcher_for: HttpSubgraphFetcher,
) -> None:
    query = "query Q($id: ID!) { answer(id: $id) { count } }"
    alice = RequestContext(headers={"authorization": "Bearer alice"})
    bob = RequestContext(headers={"authorization": "Bearer bob"})

    await _ask_together(
        fetcher_for,
        [
            (SubgraphRequest(query, {"id": "1"}, operation_kind="query"), alice),
            (SubgraphRequest(query, {"id": "1"}, operation_kind="query"), alice),
            (SubgraphRequest(query, {"id": "1"}, operation_kind="query"), bob),
            (SubgraphRequest(query, {"id": "2"}, operation_kind="query"), alice),
        ],
    )

    sent = sorted((r["authorization"], r["body"]["variables"]["id"]) for r in received)  # type: ignore[index]
    assert sent == [("Bearer alice", "1"), ("Bearer alice", "2"), ("Bearer bob", "1")]


async def test_identical_mutations_are_each_sent(fetcher_for: HttpSubgraphFetcher) -> None:
    request = SubgraphRequest("mutation { answer { count } }", operation_kind="mutation")

    await _ask_together(fetcher_for, [(request, RequestContext())] * 3)

    assert len(received) == 3


async def test_the_operation_kind_decides_whatever_the_document_text_says(
    fetcher_for: HttpSubgraphFetcher,
) -> None:
    mutation = SubgraphRequest("{ answer { count } }", operation_kind="mutation")
    subscription = SubgraphRequest("query { answer { count } }", operation_kind="subscription")
    query = SubgraphRequest("mutation { answer { count } }", operation_kind="query")

    await _ask_together(fetcher_for, [(mutation, RequestContext())] * 3)
    assert len(received) == 3
    await _ask_together(fetcher_for, [(subscription, RequestContext())] * 2)
    assert len(received) == 5
    await _ask_together(fetcher_for, [(query, RequestContext())] * 3)
    assert len(received) == 6


async def test_a_caller_that_goes_away_does_not_cancel_the_shared_request(
    fetcher_for: HttpSubgraphFetcher,
) -> None:
    request = SubgraphRequest("{ answer { count } }", operation_kind="query")
    first = asyncio.ensure_future(fetcher_for("slow", request, RequestContext()))
    await asyncio.sleep(DELAY_SECONDS / 4)
    second = asyncio.ensure_future(fetcher_for("slow", request, RequestContext()))
    await asyncio.sleep(0)
    first.cancel()

    assert await second == {"data": {"answer": {"count": 1}}}
    assert len(received) == 1


async def test_each_subgraph_has_its_own_timeout(fetcher_for: HttpSubgraphFetcher) -> None:
    request = SubgraphRequest("{ answer { count } }", operation_kind="query")

    with pytest.raises(SubgraphUnavailable, match=r"no response within 0\.05s"):
        await fetcher_for("fast", request, RequestContext())
    assert await fetcher_for("slow", request, RequestContext()) == {
        "data": {"answer": {"count": 2}}
    }


async def test_without_deduplication_every_query_is_sent(
    subgraph_client: KeepAliveClient, counting_server: LoopbackServer
) -> None:
    received.clear()
    fetcher = HttpSubgraphFetcher(
        subgraph_client, {"slow": counting_server.graphql_url}, timeout_seconds=5.0
    )

    await _ask_together(
        fetcher,
        [(SubgraphRequest("{ answer { count } }", operation_kind="query"), RequestContext())] * 4,
    )

    assert len(received) == 4
