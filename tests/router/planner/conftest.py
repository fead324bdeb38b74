from __future__ import annotations

import sys
from collections.abc import Callable
from functools import cache
from pathlib import Path

import pytest

from router.operation.document import load_operation
from router.planner import QueryPlanner, print_plan
from router.supergraph import Supergraph, load_supergraph

REPO_ROOT = Path(__file__).resolve().parents[3]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))
FIXTURES = REPO_ROOT / "tests" / "router" / "fixtures"
BENCHMARK = REPO_ROOT / "tests" / "fixtures" / "benchmark"


@cache
def fixture_supergraph(name: str) -> Supergraph:
    """A fixture supergraph composed by @apollo/composition; "benchmark" is the bench graph,
    "features/<graph>" a feature graph of tests/fixtures/features, "subscriptions" the
    subscriptions test graph (any tests/fixtures/<name>/supergraph.graphql)."""
    if name == "benchmark":
        return load_supergraph((BENCHMARK / "supergraph.apollo.graphql").read_text())
    graph_directory = REPO_ROOT / "tests" / "fixtures" / name
    if (graph_directory / "supergraph.graphql").exists():
        return load_supergraph((graph_directory / "supergraph.graphql").read_text())
    return load_supergraph((FIXTURES / f"{name}.graphql").read_text())


PlanText = Callable[..., str]


@pytest.fixture
def plan() -> PlanText:
    def plan_text(
        fixture: str,
        document: str,
        operation_name: str | None = None,
        *,
        override_labels: frozenset[str] = frozenset(),
    ) -> str:
        supergraph = fixture_supergraph(fixture).with_override_labels(override_labels)
        operation = load_operation(supergraph.api_schema, document, operation_name)
        return print_plan(QueryPlanner(supergraph).plan(operation).query_plan())

    return plan_text
