"""Identical concurrent client queries share one execution: one set of subgraph fetches, every
client its own complete response and request id; never across callers, never for mutations,
never with EHB_ROUTER_DEDUP=0. Also the opt-in Server-Timing header."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import orjson
import pytest
from strawberry.asgi import GraphQL

from router.config import RouterConfig
from router.http.app import create_router_app
from tests.fixtures.benchmark.data import FIXTURE_DIR
from tests.fixtures.benchmark.loopback import LoopbackServer, start_loopback_server
from tests.fixtures.features.mutations import subgraphs as mutations
from tests.integration.benchmark.counting_subgraphs import (
    start_counted_benchmark,
    start_counting_subgraphs,
)

BENCHMARK_QUERY = (FIXTURE_DIR / "query.graphql").read_text()
# Every subgraph answers late enough for all concurrent client requests to be in flight at once.
DELAYS = {"accounts": 0.2, "products": 0.2, "reviews": 0.2, "inventory": 0.2}
CLIENTS = 6
ONLY_QUERIES = RouterConfig(deduplicate_subgraph_fetches=False, deduplicate_queries=True)
NEITHER = RouterConfig(deduplicate_subgraph_fetches=False, deduplicate_queries=False)
SERVER_TIMING = re.compile(r"^subgraphs;dur=(\d+\.\d{3}), total;dur=(\d+\.\d{3})$")


class Answer:
    def __init__(self, status: int, headers: Mapping[str, str], body: dict[str, Any]) -> None:
        self.status, self.headers, self.body = status, headers, body


async def _post(
    session: aiohttp.ClientSession,
    url: str,
    query: str,
    headers: Mapping[str, str] | None = None,
    variables: dict[str, Any] | None = None,
) -> Answer:
    payload: dict[str, Any] = {"query": query}
    if variables is not None:
        payload["variables"] = variables
    async with session.post(
        url,
        data=orjson.dumps(payload),
        headers={"content-type": "application/json", **(headers or {})},
    ) as response:
        return Answer(
            response.status,
            {name.lower(): value for name, value in response.headers.items()},
            orjson.loads(await response.read()),
        )


@asynccontextmanager
async def _benchmark(config: RouterConfig) -> AsyncIterator[tuple[str, Any]]:
    subgraphs, router, counts = await start_counted_benchmark(DELAYS, config)
    try:
        yield router.graphql_url, counts
    finally:
        await router.stop()
        for server in subgraphs:
            await server.stop()


async def _fetches_for_one_request(url: str, counts: Any) -> int:
    async with aiohttp.ClientSession() as session:
        answer = await _post(session, url, BENCHMARK_QUERY)
    assert answer.status == 200 and "errors" not in answer.body
    fetches = sum(counts.values())
    counts.clear()
    return fetches


async def test_identical_concurrent_queries_share_one_execution() -> None:
    async with _benchmark(ONLY_QUERIES) as (url, counts):
        one_request = await _fetches_for_one_request(url, counts)
        async with aiohttp.ClientSession() as session:
            answers = await asyncio.gather(
                *(
                    _post(session, url, BENCHMARK_QUERY, {"x-request-id": f"client-{index}"})
                    for index in range(CLIENTS)
                )
            )
        shared_fetches = sum(counts.values())

    assert one_request == 7
    assert shared_fetches == one_request
    assert all(answer.status == 200 for answer in answers)
    assert all(answer.body == answers[0].body for answer in answers)
    assert "errors" not in answers[0].body and len(answers[0].body["data"]["users"]) > 0
    assert [answer.headers["x-request-id"] for answer in answers] == [
        f"client-{index}" for index in range(CLIENTS)
    ]


async def test_different_variables_or_tokens_are_separate_executions() -> None:
    query = "query Top($first: Int) { topProducts(first: $first) { upc name } }"
    async with _benchmark(ONLY_QUERIES) as (url, counts):
        async with aiohttp.ClientSession() as session:
            answers = await asyncio.gather(
                _post(session, url, query, {"authorization": "Bearer a"}, {"first": 2}),
                _post(session, url, query, {"authorization": "Bearer a"}, {"first": 2}),
                _post(session, url, query, {"authorization": "Bearer b"}, {"first": 2}),
                _post(session, url, query, {"authorization": "Bearer b"}, {"first": 3}),
                _post(session, url, query, None, {"first": 2}),
            )
        products_requests = counts["products"]

    # (a, 2) shared; (b, 2), (b, 3) and the anonymous request each ran on their own.
    assert products_requests == 4
    assert [len(answer.body["data"]["topProducts"]) for answer in answers] == [2, 2, 2, 3, 2]


async def test_without_deduplication_every_query_runs() -> None:
    async with _benchmark(NEITHER) as (url, counts):
        one_request = await _fetches_for_one_request(url, counts)
        async with aiohttp.ClientSession() as session:
            answers = await asyncio.gather(
                *(_post(session, url, BENCHMARK_QUERY) for _ in range(CLIENTS))
            )
        fetches = sum(counts.values())

    assert fetches == CLIENTS * one_request
    assert all(answer.body == answers[0].body for answer in answers)


async def test_identical_concurrent_mutations_all_run() -> None:
    mutations.reset()
    subgraphs, counts = await start_counting_subgraphs(
        {
            name: GraphQL(schema, graphql_ide=None)
            for name, schema in mutations.GRAPH.schemas.items()
        },
        {"accounts": 0.2},
    )
    router = await _router(mutations.GRAPH.supergraph_path.read_text(), subgraphs, RouterConfig())
    mutation = 'mutation { createUser(input: {name: "Zed"}) { id name } }'
    try:
        async with aiohttp.ClientSession() as session:
            answers = await asyncio.gather(
                *(_post(session, router.graphql_url, mutation) for _ in range(4))
            )
    finally:
        await router.stop()
        for server in subgraphs.values():
            await server.stop()
        mutations.reset()

    assert counts["accounts"] == 4
    assert sorted(answer.body["data"]["createUser"]["id"] for answer in answers) == [
        "u3",
        "u4",
        "u5",
        "u6",
    ]


async def _router(
    supergraph_sdl: str, subgraphs: Mapping[str, LoopbackServer], config: RouterConfig
) -> LoopbackServer:
    app = create_router_app(
        supergraph_sdl,
        subgraph_urls={name: server.graphql_url for name, server in subgraphs.items()},
        config=config,
    )
    return await start_loopback_server(app)


@pytest.mark.parametrize("deduplicate", [True, False])
async def test_server_timing_reports_subgraph_wait_and_total(deduplicate: bool) -> None:
    config = RouterConfig(
        server_timing=True,
        deduplicate_queries=deduplicate,
        deduplicate_subgraph_fetches=deduplicate,
    )
    async with _benchmark(config) as (url, _), aiohttp.ClientSession() as session:
        answers = await asyncio.gather(*(_post(session, url, BENCHMARK_QUERY) for _ in range(2)))

    for answer in answers:
        match = SERVER_TIMING.match(answer.headers["server-timing"])
        assert match is not None, answer.headers["server-timing"]
        subgraphs, total = (float(value) for value in match.groups())
        # The plan has three dependent waves, each waiting at least one delayed subgraph.
        assert 3 * 200 <= subgraphs <= total


async def test_no_server_timing_unless_switched_on() -> None:
    async with _benchmark(RouterConfig()) as (url, _), aiohttp.ClientSession() as session:
        answer = await _post(session, url, "{ topProducts(first: 1) { upc } }")

    assert answer.status == 200
    assert "server-timing" not in answer.headers
