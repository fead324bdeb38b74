"""Random valid operations through our router answer exactly what the oracle answers.

For every feature graph (and the benchmark graph) the generator makes operations over the API
schema; each goes through our router and through the oracle (the same data in one plain
graphql-core schema). The `data` must be identical, key order included, and both must agree on
whether there are `errors`. A disagreement is shrunk to a minimal operation before it is
reported; kept regressions live in `regressions/<graph>.json` and always run.

`EHB_DIFFERENTIAL_OPERATIONS` (default 150 per graph) and `EHB_DIFFERENTIAL_SEED` widen a run:
`make fuzz` runs thousands per graph with a fresh seed.
"""

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from graphql import build_schema

from tests.fixtures.benchmark.graph import BENCHMARK_GRAPH
from tests.fixtures.differential.operations import GenerationSettings, generate_operations
from tests.fixtures.differential.runner import (
    RouterOverGraph,
    disagreement,
    find_disagreements,
    load_regressions,
    report,
    start_router_over,
)
from tests.fixtures.features.graphs import FEATURE_GRAPHS
from tests.fixtures.features.harness import FeatureGraph

OPERATIONS = int(os.environ.get("EHB_DIFFERENTIAL_OPERATIONS", "150"))
SEED = int(os.environ.get("EHB_DIFFERENTIAL_SEED", "20261128"))
# Up to about 0.2 s per operation on the slower graphs (context), shrinking included; `make fuzz`
# runs 3000 per graph, far beyond the default 120 s test timeout.
TIMEOUT_SECONDS = max(120, OPERATIONS // 2)
REGRESSIONS = Path(__file__).with_name("regressions")
GRAPHS = [*(graph for graph in FEATURE_GRAPHS if graph.oracle is not None), BENCHMARK_GRAPH]


@pytest.fixture(scope="module", params=GRAPHS, ids=[graph.name for graph in GRAPHS])
async def router_over(
    request: pytest.FixtureRequest,
) -> AsyncIterator[tuple[FeatureGraph, RouterOverGraph]]:
    graph: FeatureGraph = request.param
    running = await start_router_over(graph)
    yield graph, running
    await running.stop()


async def test_kept_regressions_agree_with_the_oracle(
    router_over: tuple[FeatureGraph, RouterOverGraph],
) -> None:
    graph, running = router_over
    oracle = graph.oracle_schema()
    failures = []
    for why, operation in load_regressions(REGRESSIONS / f"{graph.name}.json"):
        found = await disagreement(running.send, oracle, operation)
        if found is not None:
            failures.append(f"{why}\n{found.describe()}")
    assert not failures, "\n".join(failures)


@pytest.mark.timeout(TIMEOUT_SECONDS)
async def test_random_operations_agree_with_the_oracle(
    router_over: tuple[FeatureGraph, RouterOverGraph],
) -> None:
    graph, running = router_over
    api_schema = build_schema(graph.api_schema_path.read_text())
    settings = GenerationSettings(
        argument_values=graph.argument_values, excluded_fields=graph.excluded_fields
    )
    operations = generate_operations(api_schema, seed=SEED, count=OPERATIONS, settings=settings)

    found = await find_disagreements(running.send, graph.oracle_schema(), api_schema, operations)

    assert not found, f"{len(found)}+ disagreements (seed {SEED}), shrunk:\n{report(found)}"
