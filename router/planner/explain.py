"""``ehb plan``: the printed query plan of an operation against a supergraph file."""

from __future__ import annotations

from router.operation.document import load_operation
from router.planner.plan import QueryPlanner
from router.planner.printer import print_plan
from router.supergraph import load_supergraph


def explain_plan(supergraph_sdl: str, document: str, operation_name: str | None = None) -> str:
    supergraph = load_supergraph(supergraph_sdl)
    operation = load_operation(supergraph.api_schema, document, operation_name)
    return print_plan(QueryPlanner(supergraph).plan(operation).query_plan())
