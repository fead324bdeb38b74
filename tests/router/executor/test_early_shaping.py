"""Parts of the answer are shaped while other fetches are still in flight
(``router.executor.shape_early``), and the answer is the same as shaping it all at the end,
errors included."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

from router.executor import QueryEngine
from router.executor.engine import PreparedOperation
from router.executor.shape_early import EarlyShape, EarlyShaping
from router.supergraph import load_supergraph
from router.types import RequestContext, SubgraphRequest
from tests.router.executor.benchmark_oracle import oracle_response
from tests.router.executor.fakes import REPO_ROOT, fixture_supergraph, run
from tests.router.executor.test_benchmark_matches_oracle import in_process_subgraph
from tests.router.planner.test_dataflow import ADMIN

# `users` is written by the accounts root fetch alone; `topProducts` waits for reviews too.
USERS_AND_PRODUCTS = "{ users { id username name } topProducts { upc name reviews { id body } } }"
HEAVY = (REPO_ROOT / "tests" / "fixtures" / "benchmark" / "query.graphql").read_text()


class SlowFetch:
    """The benchmark subgraphs in-process; the fetches ``slow`` picks answer after a few event
    loop turns, noting how many parts of the answer were shaped by then (``edit``: changes
    their answer)."""

    def __init__(
        self,
        slow: Callable[[str, SubgraphRequest], bool],
        edit: Callable[[dict[str, Any]], None] | None = None,
    ) -> None:
        self.shaping: list[EarlyShaping] = []
        self.shaped_while_slow: list[int] = []
        self._slow = slow
        self._edit = edit

    async def __call__(
        self, subgraph: str, request: SubgraphRequest, context: RequestContext
    ) -> dict[str, Any]:
        answer = await in_process_subgraph(subgraph, request, context)
        if self._slow(subgraph, request):
            for _ in range(5):
                await asyncio.sleep(0)
            if self.shaping:
                self.shaped_while_slow.append(self.shaping[-1].shaped_parts)
            if self._edit is not None:
                self._edit(answer)
        return answer


def _reviews(subgraph: str, request: SubgraphRequest) -> bool:
    return subgraph == "reviews"


def _accounts_entities(subgraph: str, request: SubgraphRequest) -> bool:
    return subgraph == "accounts" and "_entities" in request.query


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
    subgraphs = SlowFetch(_reviews)
    _capture_shaping(monkeypatch, subgraphs.shaping)
    supergraph = fixture_supergraph("benchmark")

    response = await run(QueryEngine(supergraph, subgraphs), USERS_AND_PRODUCTS)

    assert response == oracle_response(supergraph, USERS_AND_PRODUCTS)
    assert subgraphs.shaped_while_slow == [1]  # users, while topProducts waited


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


# topProducts waits for the reviews fetch (it completes the products); the accounts fetch only
# completes the authors inside it: topProducts is shaped with holes for them.
PRODUCTS_AND_AUTHORS = (
    "{ users { id username } topProducts { upc name reviews { id body author { id name } } } }"
)


def _null_ids(answer: dict[str, Any]) -> None:
    for user in answer["data"]["_entities"]:
        user["id"] = None  # User.id is ID!: the answer needs errors


async def test_a_part_is_shaped_with_holes_while_a_fetch_completing_objects_in_it_runs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    subgraphs = SlowFetch(_accounts_entities)
    _capture_shaping(monkeypatch, subgraphs.shaping)
    supergraph = fixture_supergraph("benchmark")
    engine = QueryEngine(supergraph, subgraphs)
    early = engine.prepare(PRODUCTS_AND_AUTHORS, None).early_shape_for(())
    assert early is not None
    assert [len(part.hole_writers) for part in early.parts] == [0, 1]  # users, topProducts

    response = await run(engine, PRODUCTS_AND_AUTHORS)

    assert subgraphs.shaped_while_slow == [2]  # topProducts, with its authors to come
    assert response == oracle_response(supergraph, PRODUCTS_AND_AUTHORS)
    assert response == await _without_early_shaping(monkeypatch, engine, PRODUCTS_AND_AUTHORS)


async def test_a_hole_whose_answer_needs_errors_gives_the_tracking_shapers_answer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    engine = QueryEngine(fixture_supergraph("benchmark"), SlowFetch(_accounts_entities, _null_ids))

    response = await run(engine, PRODUCTS_AND_AUTHORS)

    assert response == await _without_early_shaping(monkeypatch, engine, PRODUCTS_AND_AUTHORS)
    assert response["errors"]
    assert all(error["path"][-1] == "id" for error in response["errors"])


def test_the_dashboard_shapes_its_largest_parts_with_holes_for_the_last_fetches() -> None:
    supergraph = load_supergraph((REPO_ROOT / "schema" / "supergraph.graphql").read_text())
    engine = QueryEngine(supergraph, in_process_subgraph)
    document = (REPO_ROOT / "bench" / "dashboard" / "dashboard.graphql").read_text()
    prepared = engine.prepare(document, None, principal=ADMIN)
    early = prepared.early_shape_for(())
    assert early is not None

    holes = {".".join(part.path): part.hole_writers for part in early.parts}

    # 7: identity completes the sellers' users and the video owners; 8: commerce the orders
    # of tickets (tests/router/planner/test_dataflow.py lists the fetches)
    assert holes["me.orders"] == (7,)
    assert holes["me.videos"] == (7,)
    assert holes["me.tickets"] == (8,)
    assert holes["me.wallets"] == ()
