"""The reference gateways against the oracle, on the same random operations as our router.

For each graph (every feature graph with an oracle, and the benchmark graph) the subgraphs, our
router, @apollo/gateway and Hive Gateway (JavaScript planner) run on the same subgraph URLs and
answer the same random operations (fixed seed). Our router must agree with the oracle on every
operation. The peers do not: each of their disagreements is shrunk to a minimal operation (asking
that peer) and classified; the categories, and why the oracle and the specification are right in
each, are in ``peer_differences.py``. A disagreement no category recognises fails the test with
the shrunk operation, for a person to look at.

Left out: the ``context`` graph (@apollo/gateway refuses the context spec; Hive Gateway serves it
but ignores @fromContext, so every context field fails). Hive's Rust planner runs only in the
longer run outside CI (`bench/differential/run`): it disagrees with the oracle on about half the
operations and would need its own categories.

`EHB_PEER_OPERATIONS` (default 12 per graph) and `EHB_DIFFERENTIAL_SEED` widen a run.
"""

import os
from collections.abc import AsyncIterator

import pytest

from tests.fixtures.benchmark.graph import BENCHMARK_GRAPH
from tests.fixtures.differential.runner import RouterOverGraph, report, start_router_over
from tests.fixtures.features.graphs import FEATURE_GRAPHS
from tests.fixtures.features.harness import FeatureGraph
from tests.integration.differential.peer_differences import (
    UNSERVED,
    run_graph,
    start_peers,
    stop_peers,
)

pytestmark = pytest.mark.npm

OPERATIONS = int(os.environ.get("EHB_PEER_OPERATIONS", "12"))
SEED = int(os.environ.get("EHB_DIFFERENTIAL_SEED", "20261128"))
CI_PEERS = ["apollo", "hive_js"]
GRAPHS = [
    graph
    for graph in (*FEATURE_GRAPHS, BENCHMARK_GRAPH)
    if graph.oracle is not None and not all((peer, graph.name) in UNSERVED for peer in CI_PEERS)
]


@pytest.fixture(params=GRAPHS, ids=[graph.name for graph in GRAPHS])
async def graph_with_peers(
    request: pytest.FixtureRequest, npm_tools: None
) -> AsyncIterator[tuple[FeatureGraph, RouterOverGraph, dict[str, str]]]:
    graph: FeatureGraph = request.param
    running = await start_router_over(graph)
    try:
        started, _ = await start_peers(graph, running, CI_PEERS)
    except BaseException:
        await running.stop()
        raise
    try:
        yield graph, running, {peer: url for peer, (_, url) in started.items()}
    finally:
        await stop_peers(started)
        await running.stop()


async def test_peers_differ_from_the_oracle_only_in_known_ways(
    graph_with_peers: tuple[FeatureGraph, RouterOverGraph, dict[str, str]],
) -> None:
    graph, running, peer_urls = graph_with_peers

    run = await run_graph(graph, running, peer_urls, seed=SEED, count=OPERATIONS)

    assert not run.ours, f"our router disagrees with the oracle (seed {SEED}):\n{report(run.ours)}"
    unclassified = [finding for finding in run.findings if finding.category is None]
    assert not unclassified, (
        f"{len(unclassified)} peer disagreements in no known category (seed {SEED}), shrunk:\n"
        + "\n".join(finding.describe() for finding in unclassified)
    )
    for peer in peer_urls:
        counts = {name: len(items) for name, items in run.by_category(peer).items()}
        print(f"{graph.name} {peer}: {run.operations} operations, differences {counts}")
