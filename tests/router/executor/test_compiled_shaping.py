"""Compiled shaping functions do exactly what the shaping interpreter does."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from graphql import build_schema

from router.executor import QueryEngine
from router.executor.fetch import ExecutionState
from router.executor.shape import Shaper
from router.executor.walk import run_plan
from router.types import RequestContext
from tests.fixtures.differential.operations import GenerationSettings, generate_operations
from tests.router.executor.fakes import fixture_supergraph
from tests.router.executor.test_benchmark_matches_oracle import in_process_subgraph
from tests.router.executor.test_random_operations_match_oracle import ARGUMENTS

SUPERGRAPH = fixture_supergraph("keys")
BENCHMARK = fixture_supergraph("benchmark")


def both_ways(engine: QueryEngine, document: str, data: dict[str, Any]) -> tuple[Any, Any]:
    prepared = engine.prepare(document, None)
    interpreted_errors: list[dict[str, Any]] = []
    compiled_errors: list[dict[str, Any]] = []
    interpreted = Shaper(interpreted_errors).shape_root(data, prepared.shape_for(()))
    compiled = Shaper(compiled_errors).run_compiled(data, prepared.compiled_shape_for(()))
    return (interpreted, interpreted_errors), (compiled, compiled_errors)


@pytest.mark.parametrize(
    "data",
    [
        {"users": [{"name": "A", "email": "a"}, {"name": None, "email": "b"}]},
        {"users": [{"name": "A", "email": None}]},
        {"users": [None]},
        {"users": None},
        {"users": "not a list"},
        {"users": [{"name": "A", "email": "a", "_ehb_mail": "x"}]},
        {"invoices": [{"number": None}, None, {"number": 2, "account": {"region": 1}}]},
    ],
)
def test_nulls_and_wrong_shapes_are_handled_identically(data: dict[str, Any]) -> None:
    engine = QueryEngine(SUPERGRAPH, in_process_subgraph)
    document = (
        "{ users { name email mail: email __typename } invoices { number account { region } } }"
    )
    interpreted, compiled = both_ways(engine, document, data)
    assert interpreted == compiled


async def test_random_operations_shape_identically() -> None:
    engine = QueryEngine(BENCHMARK, in_process_subgraph)
    settings = GenerationSettings(argument_values=ARGUMENTS)
    schema = build_schema(BENCHMARK.api_sdl)
    for operation in generate_operations(schema, seed=11, count=40, settings=settings):
        document, variables = operation.query, operation.variables
        prepared = engine.prepare(document, None)
        plan = prepared.operation_plan
        values = tuple(bool(variables.get(name, True)) for name in plan.condition_variables)
        state = ExecutionState(in_process_subgraph, variables, RequestContext())
        node = plan.variant(values).node
        if node is not None:
            await run_plan(state, node)
        data = copy.deepcopy(state.data)
        interpreted = Shaper([]).shape_root(data, prepared.shape_for(values))
        compiled = Shaper([]).run_compiled(data, prepared.compiled_shape_for(values))
        assert interpreted == compiled, document
