"""Thousands of random valid operations over the benchmark graph: the engine must answer
exactly like the unfederated oracle (same data, errors present in both or in neither)."""

from __future__ import annotations

import pytest
from graphql import build_schema

from router.executor import QueryEngine
from tests.router.executor.benchmark_oracle import oracle_response
from tests.router.executor.fakes import fixture_supergraph, run
from tests.router.executor.operation_generator import OperationGenerator
from tests.router.executor.test_benchmark_matches_oracle import in_process_subgraph

SUPERGRAPH = fixture_supergraph("benchmark")
ARGUMENTS = {
    "Query.user": ['(id: "1")', '(id: "4")', '(id: "99")'],
    "Query.topProducts": ["", "(first: 1)", "(first: $count)", "(first: 9)"],
}
OPERATIONS_PER_SEED = 60


@pytest.mark.parametrize("seed", range(8))
async def test_random_operations_answer_like_the_oracle(seed: int) -> None:
    generator = OperationGenerator(build_schema(SUPERGRAPH.api_sdl), ARGUMENTS, seed, max_depth=4)
    engine = QueryEngine(SUPERGRAPH, in_process_subgraph)
    for _ in range(OPERATIONS_PER_SEED):
        document, variables = generator.operation()
        ours = await run(engine, document, variables)
        expected = oracle_response(SUPERGRAPH, document, variables)
        assert ours.get("data") == expected.get("data"), document
        assert ("errors" in ours) == ("errors" in expected), (document, ours.get("errors"))
