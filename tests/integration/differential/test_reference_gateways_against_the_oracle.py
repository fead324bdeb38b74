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

The classifier itself is checked without the peers, on shrunk disagreements the long run found
(one per category that rules on the answers), each beside a near miss: the same operation with a
different wrong answer, which that category must not take.
"""

import os
from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.fixtures.benchmark.graph import BENCHMARK_GRAPH
from tests.fixtures.differential.operations import GeneratedOperation
from tests.fixtures.differential.runner import (
    Disagreement,
    RouterOverGraph,
    report,
    start_router_over,
)
from tests.fixtures.features.graphs import FEATURE_GRAPHS
from tests.fixtures.features.harness import FeatureGraph
from tests.integration.differential.peer_differences import (
    UNSERVED,
    GraphShape,
    run_graph,
    start_peers,
    stop_peers,
)

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


@pytest.mark.npm
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


# (graph, operation, variables, the peer's answer, the oracle's answer, category or None)
KNOWN: list[tuple[str, str, dict[str, Any], dict[str, Any], dict[str, Any], str | None]] = [
    (
        "shareable",
        "query Q13 { reviews { author { name } } }",
        {},
        {
            "errors": [
                {
                    "message": "Was not able to find any options for name: This shouldn't "
                    "have happened.",
                    "path": ["reviews"],
                    "extensions": {"CRITICAL_ERROR": True},
                }
            ],
            "data": None,
        },
        {"data": {"reviews": [{"author": {"name": "Ann"}}]}},
        "peer_planner_error",
    ),
    (
        "shareable",
        "query Q13 { reviews { author { name } } }",
        {},
        {"errors": [{"message": "Unexpected error.", "path": ["reviews"]}], "data": None},
        {"data": {"reviews": [{"author": {"name": "Ann"}}]}},
        None,
    ),
    (
        "federation1",
        "query Q155($cond0: Boolean!) { posts { author { username @skip(if: $cond0) } } }",
        {"cond0": True},
        {
            "errors": [
                {
                    "message": "Variable '$cond0' is not defined by operation 'Q155'.",
                    "path": ["posts"],
                    "extensions": {"code": "DOWNSTREAM_SERVICE_ERROR", "serviceName": "posts"},
                }
            ],
            "data": None,
        },
        {"data": {"posts": [{"author": {}}, {"author": {}}]}},
        "condition_variable_not_forwarded",
    ),
    (  # another variable than the condition's is not the condition's variable being dropped
        "federation1",
        "query Q155($cond0: Boolean!) { posts { author { username @skip(if: $cond0) } } }",
        {"cond0": True},
        {
            "errors": [{"message": "Variable '$id' is not defined by operation 'Q155'."}],
            "data": None,
        },
        {"data": {"posts": [{"author": {}}, {"author": {}}]}},
        None,
    ),
    (
        "field_types",
        "query Q90 { animals { ... on Dog { name } name } }",
        {},
        {
            "errors": [
                {
                    "message": "Fields 'name' conflict because they return conflicting types "
                    "'String!' and 'String'. Use different aliases on the fields to fetch both "
                    "if this was intentional.",
                    "path": ["animals"],
                    "extensions": {"code": "DOWNSTREAM_SERVICE_ERROR", "serviceName": "zoo"},
                }
            ],
            "data": None,
        },
        {"data": {"animals": [{"name": "Rex"}, {"name": "Tom"}]}},
        "subgraph_fetch_field_conflict",
    ),
    (  # the peer refusing the client's own (valid) operation is another bug
        "field_types",
        "query Q90 { animals { ... on Dog { name } name } }",
        {},
        {
            "errors": [
                {
                    "message": "Fields 'name' conflict because they return conflicting types "
                    "'String!' and 'String'.",
                    "extensions": {"code": "GRAPHQL_VALIDATION_FAILED"},
                }
            ]
        },
        {"data": {"animals": [{"name": "Rex"}, {"name": "Tom"}]}},
        None,
    ),
    (
        "abstract",
        "query Q178($cond0: Boolean!) { books { id @include(if: $cond0) rank } }",
        {"cond0": False},
        {"data": {"books": [{"rank": None}, {"rank": None}]}},
        {"data": {"books": [{"rank": 2}, {"rank": 3}]}},
        "condition_on_key_field",
    ),
    (  # a wrong rank, not a lost entity
        "abstract",
        "query Q178($cond0: Boolean!) { books { id @include(if: $cond0) rank } }",
        {"cond0": False},
        {"data": {"books": [{"rank": 3}, {"rank": 2}]}},
        {"data": {"books": [{"rank": 2}, {"rank": 3}]}},
        None,
    ),
    (
        "directives",
        'query Q152($cond0: Boolean = true, $id1: ID = "p4") '
        "{ product(id: $id1) { shelf shippingCents @include(if: $cond0) } }",
        {"cond0": False, "id1": "p4"},
        {"data": {"product": {"shelf": None}}},
        {"data": {"product": {"shelf": "GARDEN"}}},
        "conditional_requirement_drops_entity",
    ),
    (
        "directives",
        'query Q152($cond0: Boolean = true, $id1: ID = "p4") '
        "{ product(id: $id1) { shelf shippingCents @include(if: $cond0) } }",
        {"cond0": False, "id1": "p4"},
        {"data": {"product": {"shelf": "TOYS"}}},
        {"data": {"product": {"shelf": "GARDEN"}}},
        None,
    ),
    (
        "benchmark",
        "query Q29($cond0: Boolean = true, $cond1: Boolean = true) "
        "{ users { reviews @skip(if: $cond1) { body @skip(if: $cond0) } } }",
        {"cond0": True, "cond1": False},
        {"data": {"users": [{"reviews": None}, {"reviews": None}]}},
        {"data": {"users": [{"reviews": [{}, {}]}, {"reviews": [{}]}]}},
        "emptied_selection_answers_null",
    ),
    (  # too few reviews is another bug
        "benchmark",
        "query Q29($cond0: Boolean = true, $cond1: Boolean = true) "
        "{ users { reviews @skip(if: $cond1) { body @skip(if: $cond0) } } }",
        {"cond0": True, "cond1": False},
        {"data": {"users": [{"reviews": [{}]}, {"reviews": [{}]}]}},
        {"data": {"users": [{"reviews": [{}, {}]}, {"reviews": [{}]}]}},
        None,
    ),
    (
        "requires",
        'query Q65 { product(id: "p2") { deliveryNote shippingCost(zone: "US") } }',
        {},
        {"data": {"product": {"deliveryNote": "no estimate", "shippingCost": 200}}},
        {"data": {"product": {"deliveryNote": "ships for 300", "shippingCost": 200}}},
        "requirement_of_requirement_unmet",
    ),
    (  # shippingCost (no nested requirement) wrong as well
        "requires",
        'query Q65 { product(id: "p2") { deliveryNote shippingCost(zone: "US") } }',
        {},
        {"data": {"product": {"deliveryNote": "no estimate", "shippingCost": 100}}},
        {"data": {"product": {"deliveryNote": "ships for 300", "shippingCost": 200}}},
        None,
    ),
    (
        "shareable",
        "query Q77 { products { x: price { __typename } stock } }",
        {},
        {
            "errors": [
                {
                    "message": "Unexpected error.",
                    "path": ["products", 0, "x"],
                    "extensions": {"code": "INTERNAL_SERVER_ERROR"},
                }
            ],
            "data": None,
        },
        {"data": {"products": [{"x": {"__typename": "Money"}, "stock": 5}]}},
        "shared_root_list_subfield_lost",
    ),
    (  # a subgraph's error is not the peer losing the field
        "shareable",
        "query Q77 { products { x: price { __typename } stock } }",
        {},
        {
            "errors": [
                {
                    "message": "Unexpected error.",
                    "path": ["products", 0, "x"],
                    "extensions": {"code": "INTERNAL_SERVER_ERROR", "serviceName": "catalog"},
                }
            ],
            "data": None,
        },
        {"data": {"products": [{"x": {"__typename": "Money"}, "stock": 5}]}},
        None,
    ),
]
BY_NAME = {graph.name: graph for graph in (*FEATURE_GRAPHS, BENCHMARK_GRAPH)}


@pytest.mark.parametrize(
    ("graph", "query", "variables", "answer", "oracle", "category"),
    KNOWN,
    ids=[f"{case[0]}-{case[5] or 'unclassified'}" for case in KNOWN],
)
def test_the_classifier_names_known_differences_and_no_near_misses(
    graph: str,
    query: str,
    variables: dict[str, Any],
    answer: dict[str, Any],
    oracle: dict[str, Any],
    category: str | None,
) -> None:
    shape = GraphShape.of(BY_NAME[graph])
    found = Disagreement(GeneratedOperation(query, variables), answer, oracle)

    assert shape.classify(found) == category
