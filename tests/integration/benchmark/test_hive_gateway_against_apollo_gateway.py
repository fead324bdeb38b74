"""@graphql-hive/gateway, the second reference gateway, answers like @apollo/gateway.

On the benchmark graph (tests/fixtures/benchmark) every Hive mode must give the same `data` as
@apollo/gateway. On a feature graph (tests/fixtures/features/abstract) the differences are only
printed (`pytest -s`): there the specification, not either gateway, decides.
"""

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from tests.fixtures.benchmark.data import FIXTURE_DIR
from tests.fixtures.features.abstract.subgraphs import GRAPH as ABSTRACT_GRAPH
from tests.fixtures.features.harness import (
    DifferentialGateways,
    Outcome,
    start_differential_gateways,
)
from tests.integration.benchmark.graphql_client import post_graphql
from tests.integration.benchmark.reference_gateway import start_hive_gateway, stop_process
from tests.integration.benchmark.router_server import SUPERGRAPH_PATH
from tests.integration.features.test_abstract_types_against_apollo_gateway import (
    CASES as ABSTRACT_CASES,
)

pytestmark = pytest.mark.npm

# mode -> start_hive_gateway keyword arguments
HIVE_MODES: dict[str, dict[str, bool]] = {
    "js_planner": {},
    "rust_planner": {"rust_planner": True},
    "rust_planner_deduplicating": {"rust_planner": True, "deduplicate_requests": True},
}

BENCHMARK_QUERY = (FIXTURE_DIR / "query.graphql").read_text()

# name -> (document, variables)
CASES: dict[str, tuple[str, dict[str, Any] | None]] = {
    "benchmark_query": (BENCHMARK_QUERY, None),
    "one_subgraph": ("{ me { id name username } }", None),
    "requires_and_provides": (
        "{ topProducts(first: 3) { upc name shippingEstimate"
        " reviews { body author { username name } } } }",
        None,
    ),
    "variables_skip_and_include": (
        """
        query Toggle($id: ID!, $withReviews: Boolean!, $count: Int = 2) {
          user(id: $id) { name reviews @include(if: $withReviews) { product { upc price } } }
          topProducts(first: $count) { upc inStock @skip(if: $withReviews) }
        }
        """,
        {"id": "1", "withReviews": True},
    ),
    "fragments_aliases_and_typename": (
        """
        { __typename
          first: topProducts(first: 2) { __typename ...Price id: upc }
          me { handle: username reviews { __typename product { ...Price } } } }
        fragment Price on Product { price cost: price weight }
        """,
        None,
    ),
    "missing_entity_is_null": ('{ user(id: "999") { id name } }', None),
}


async def _start_hive_gateways(
    subgraph_urls: dict[str, str], supergraph: Path, modes: dict[str, dict[str, bool]]
) -> dict[str, tuple[asyncio.subprocess.Process, str]]:
    """All modes at once (start-up is mostly Node loading modules); stops them all if one fails."""

    async def start(mode: str) -> tuple[asyncio.subprocess.Process, str]:
        started_at = time.perf_counter()
        process, url = await start_hive_gateway(supergraph, subgraph_urls, **modes[mode])
        print(f"hive gateway {mode} answered after {time.perf_counter() - started_at:.1f} s")
        return process, url

    results = await asyncio.gather(*(start(mode) for mode in modes), return_exceptions=True)
    started = {
        mode: result
        for mode, result in zip(modes, results, strict=True)
        if isinstance(result, tuple)
    }
    failures = [result for result in results if isinstance(result, BaseException)]
    if failures:
        for process, _ in started.values():
            await stop_process(process)
        raise failures[0]
    return started


@pytest.fixture(scope="module")
async def hive_gateway_urls(
    npm_tools: None, subgraph_urls: dict[str, str]
) -> AsyncIterator[dict[str, str]]:
    started = await _start_hive_gateways(subgraph_urls, SUPERGRAPH_PATH, HIVE_MODES)
    yield {mode: url for mode, (_, url) in started.items()}
    for process, _ in started.values():
        await stop_process(process)


@pytest.mark.parametrize("mode", sorted(HIVE_MODES))
@pytest.mark.parametrize("case", sorted(CASES))
async def test_hive_gateway_gets_the_same_data_as_apollo_gateway(
    client: aiohttp.ClientSession,
    apollo_gateway_url: str,
    hive_gateway_urls: dict[str, str],
    case: str,
    mode: str,
) -> None:
    document, variables = CASES[case]

    reference_status, reference = await post_graphql(
        client, apollo_gateway_url, document, variables
    )
    hive_status, hive = await post_graphql(client, hive_gateway_urls[mode], document, variables)

    assert (reference_status, "errors" in reference) == (200, False), reference
    assert (hive_status, "errors" in hive) == (200, False), hive
    assert hive["data"] == reference["data"]


async def test_identical_concurrent_benchmark_queries_get_the_same_answer_when_deduplicated(
    client: aiohttp.ClientSession, apollo_gateway_url: str, hive_gateway_urls: dict[str, str]
) -> None:
    _, reference = await post_graphql(client, apollo_gateway_url, BENCHMARK_QUERY)

    answers = await asyncio.gather(
        *(
            post_graphql(client, hive_gateway_urls["rust_planner_deduplicating"], BENCHMARK_QUERY)
            for _ in range(8)
        )
    )

    assert [status for status, _ in answers] == [200] * 8
    assert all("errors" not in body for _, body in answers)
    assert all(body["data"] == reference["data"] for _, body in answers)


# --- a feature graph: differences are reported, not asserted ---------------------------------

FEATURE_MODES = {mode: HIVE_MODES[mode] for mode in ("js_planner", "rust_planner")}


@pytest.fixture(scope="module")
async def abstract_gateways(
    npm_tools: None,
) -> AsyncIterator[tuple[DifferentialGateways, dict[str, str]]]:
    gateways = await start_differential_gateways(ABSTRACT_GRAPH)
    urls = {name: server.graphql_url for name, server in gateways.subgraphs.items()}
    try:
        started = await _start_hive_gateways(urls, ABSTRACT_GRAPH.supergraph_path, FEATURE_MODES)
    except BaseException:
        await gateways.stop()
        raise
    yield gateways, {mode: url for mode, (_, url) in started.items()}
    for process, _ in started.values():
        await stop_process(process)
    await gateways.stop()


def _differences(hive: Outcome, apollo: Outcome) -> list[str]:
    found = []
    if hive.status != apollo.status:
        found.append(f"status {hive.status} (apollo {apollo.status})")
    if hive.data != apollo.data:
        found.append(f"data {hive.data} (apollo {apollo.data})")
    if hive.errors != apollo.errors:
        found.append(f"errors {hive.errors} (apollo {apollo.errors})")
    if hive.counts() != apollo.counts():
        found.append(f"subgraph requests {hive.counts()} (apollo {apollo.counts()})")
    return found


async def test_hive_gateway_on_the_abstract_types_graph_is_compared_with_apollo_gateway(
    abstract_gateways: tuple[DifferentialGateways, dict[str, str]],
) -> None:
    gateways, hive_urls = abstract_gateways
    report: list[str] = []
    for case in sorted(ABSTRACT_CASES):
        apollo = await gateways.reference(ABSTRACT_CASES[case])
        for mode, url in hive_urls.items():
            hive = await gateways.run(url, ABSTRACT_CASES[case], None)
            report.extend(f"{case} [{mode}]: {found}" for found in _differences(hive, apollo))
    print("\nHive Gateway vs @apollo/gateway on the 'abstract' feature graph:")
    print("\n".join(report) or "no differences")
