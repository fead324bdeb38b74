"""Thousands of random valid operations over the benchmark graph: the engine must answer
exactly like the unfederated oracle (same data, errors present in both or in neither)."""

from __future__ import annotations

from typing import Any

import pytest
from graphql import build_schema

from router.executor import QueryEngine
from tests.fixtures.differential.operations import GenerationSettings, generate_operations
from tests.router.executor.benchmark_oracle import oracle_response
from tests.router.executor.fakes import fixture_supergraph, run
from tests.router.executor.test_benchmark_matches_oracle import in_process_subgraph

SUPERGRAPH = fixture_supergraph("benchmark")
ARGUMENTS: dict[str, list[Any]] = {
    "Query.user.id": ["1", "4", "99"],
    "Query.topProducts.first": [None, 1, 2, 9],
}
OPERATIONS_PER_SEED = 60


@pytest.mark.parametrize("seed", range(8))
async def test_random_operations_answer_like_the_oracle(seed: int) -> None:
    settings = GenerationSettings(argument_values=ARGUMENTS)
    schema = build_schema(SUPERGRAPH.api_sdl)
    engine = QueryEngine(SUPERGRAPH, in_process_subgraph)
    for operation in generate_operations(
        schema, seed=seed, count=OPERATIONS_PER_SEED, settings=settings
    ):
        document, variables = operation.query, operation.variables
        ours = await run(engine, document, variables)
        expected = oracle_response(SUPERGRAPH, document, variables)
        assert ours.get("data") == expected.get("data"), document
        assert ("errors" in ours) == ("errors" in expected), (document, ours.get("errors"))
