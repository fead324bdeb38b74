"""The benchmark graph through the engine (subgraphs executed in-process) against the oracle."""

from __future__ import annotations

from typing import Any

import pytest

from router.executor import QueryEngine
from router.types import RequestContext, SubgraphRequest
from tests.fixtures.benchmark.subgraph_servers import BENCHMARK_SUBGRAPH_SCHEMAS
from tests.router.executor.benchmark_oracle import oracle_response
from tests.router.executor.fakes import REPO_ROOT, fixture_supergraph, run

SUPERGRAPH = fixture_supergraph("benchmark")


async def in_process_subgraph(
    subgraph: str, request: SubgraphRequest, context: RequestContext
) -> dict[str, Any]:
    result = await BENCHMARK_SUBGRAPH_SCHEMAS[subgraph].execute(
        request.query, variable_values=request.variables, operation_name=request.operation_name
    )
    response: dict[str, Any] = {"data": result.data}
    if result.errors:
        response["errors"] = [error.formatted for error in result.errors]
    return response


OPERATIONS: list[tuple[str, dict[str, Any]]] = [
    ((REPO_ROOT / "tests" / "fixtures" / "benchmark" / "query.graphql").read_text(), {}),
    ("{ topProducts(first: 2) { upc id: name shippingEstimate weight: price } }", {}),
    ("{ me { id: username username: name reviews { id: body body: id } } }", {}),
    (
        "query Q($n: Int = 3) { topProducts(first: $n) { __typename t: __typename "
        "shippingEstimate ... on Product { weight reviews { product { inStock } } } } }",
        {},
    ),
    ("query Q($n: Int = 3) { topProducts(first: $n) { name } }", {"n": 1}),
    (
        "query Q($s: Boolean!, $i: Boolean = true) { users { name @skip(if: $s) "
        "reviews @include(if: $i) { body product { name @include(if: $s) } } "
        "reviews { id } } }",
        {"s": True},
    ),
    (
        "query Q($s: Boolean!) { me { ...F ...F @skip(if: $s) } } "
        "fragment F on User { reviews { product { shippingEstimate @skip(if: $s) price } } }",
        {"s": False},
    ),
    (
        "query Q($id: ID!) { user(id: $id) { name reviews { author { name birthday } } } }",
        {"id": "3"},
    ),
    ('{ user(id: "404") { name } __typename }', {}),
    # One products fetch for both paths; "x" means name at one and upc at the other, so
    # neither path may take the other's fields (the fetch answers each entity with both).
    (
        "{ users { reviews { product { x: name } } } "
        "topProducts { reviews { author { reviews { product { x: upc price } } } } } }",
        {},
    ),
]


@pytest.mark.parametrize(("document", "variables"), OPERATIONS)
async def test_engine_answers_like_the_unfederated_oracle(
    document: str, variables: dict[str, Any]
) -> None:
    engine = QueryEngine(SUPERGRAPH, in_process_subgraph)
    assert await run(engine, document, variables) == oracle_response(
        SUPERGRAPH, document, variables
    )
