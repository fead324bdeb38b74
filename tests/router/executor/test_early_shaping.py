"""Parts of the answer are shaped while other fetches are still in flight
(``router.executor.shape_early``), and the answer is the same as shaping it all at the end,
errors included."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from router.executor import QueryEngine
from router.executor.engine import PreparedOperation
from router.executor.shape_early import EarlyShape, EarlyShaping
from router.types import RequestContext, SubgraphRequest
from tests.router.executor.benchmark_oracle import oracle_response
from tests.router.executor.fakes import REPO_ROOT, fixture_supergraph, run
from tests.router.executor.test_benchmark_matches_oracle import in_process_subgraph

# `users` is written by the accounts root fetch alone; `topProducts` waits for reviews too.
USERS_AND_PRODUCTS = "{ users { id username name } topProducts { upc name reviews { id body } } }"
HEAVY = (REPO_ROOT / "tests" / "fixtures" / "benchmark" / "query.graphql").read_text()


class SlowReviews:
    """The benchmark subgraphs in-process; reviews answers after a few event loop turns,
    noting how many parts of the answer were shaped by then."""

    def __init__(self) -> None:
        self.shaping: list[EarlyShaping] = []
        self.shaped_while_reviews_ran: list[int] = []

    async def __call__(
        self, subgraph: str, request: SubgraphRequest, context: RequestContext
    ) -> dict[str, Any]:
        if subgraph == "reviews":
            for _ in range(5):
                await asyncio.sleep(0)
            self.shaped_while_reviews_ran.append(self.shaping[-1].shaped_parts)
        return await in_process_subgraph(subgraph, request, context)


def _capture_shaping(monkeypatch: pytest.MonkeyPatch, into: list[EarlyShaping]) -> None:
    start = EarlyShape.start

    def recording_start(self: EarlyShape) -> EarlyShaping:
        shaping = start(self)
        into.append(shaping)
        return shaping

    monkeypatch.setattr(EarlyShape, "start", recording_start)


async def test_a_part_no_fetch_in_flight_writes_is_shaped_before_the_last_fetch_answers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    subgraphs = SlowReviews()
    _capture_shaping(monkeypatch, subgraphs.shaping)
    supergraph = fixture_supergraph("benchmark")

    response = await run(QueryEngine(supergraph, subgraphs), USERS_AND_PRODUCTS)

    assert response == oracle_response(supergraph, USERS_AND_PRODUCTS)
    assert subgraphs.shaped_while_reviews_ran == [1]  # users, while topProducts waited


async def _without_early_shaping(
    monkeypatch: pytest.MonkeyPatch, engine: QueryEngine, document: str
) -> dict[str, Any]:
    with monkeypatch.context() as patch:
        patch.setattr(PreparedOperation, "early_shape_for", lambda self, values: None)
        return await run(engine, document)


@pytest.mark.parametrize("document", [USERS_AND_PRODUCTS, HEAVY])
async def test_the_answer_is_the_one_shaped_at_the_end(
    monkeypatch: pytest.MonkeyPatch, document: str
) -> None:
    engine = QueryEngine(fixture_supergraph("benchmark"), in_process_subgraph)
    early = engine.prepare(document, None).early_shape_for(())
    assert early is not None  # both plans run as one dataflow

    assert await run(engine, document) == await _without_early_shaping(
        monkeypatch, engine, document
    )


async def _null_user_ids(
    subgraph: str, request: SubgraphRequest, context: RequestContext
) -> dict[str, Any]:
    answer = await in_process_subgraph(subgraph, request, context)
    if subgraph == "accounts" and "_entities" not in request.query:
        for user in answer["data"]["users"]:
            user["id"] = None  # User.id is ID!: the users shape to null, with errors
    return answer


async def test_a_part_that_needs_errors_gives_the_tracking_shapers_answer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    engine = QueryEngine(fixture_supergraph("benchmark"), _null_user_ids)

    response = await run(engine, USERS_AND_PRODUCTS)

    assert response == await _without_early_shaping(monkeypatch, engine, USERS_AND_PRODUCTS)
    assert response["data"]["users"] == [None] * len(response["data"]["users"])
    assert response["data"]["topProducts"]
    assert {error["path"][0] for error in response["errors"]} == {"users"}


async def test_root_typename_and_introspection_beside_parts_shaped_early(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    document = (
        "{ __typename __schema { queryType { name } } users { __typename id username } "
        "topProducts { upc reviews { id } } }"
    )
    engine = QueryEngine(fixture_supergraph("benchmark"), in_process_subgraph)
    assert engine.prepare(document, None).early_shape_for(()) is not None

    response = await run(engine, document)

    assert response == await _without_early_shaping(monkeypatch, engine, document)
    assert list(response["data"]) == ["__typename", "__schema", "users", "topProducts"]
    assert response["data"]["__schema"] == {"queryType": {"name": "Query"}}
