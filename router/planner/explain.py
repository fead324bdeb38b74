"""``ehb plan``: the printed query plan of an operation against a supergraph file."""

from __future__ import annotations

from collections.abc import Iterable

from router.operation.document import load_operation
from router.planner.plan import QueryPlanner
from router.planner.printer import print_plan
from router.supergraph import Supergraph


def explain(
    supergraph: Supergraph,
    document: str,
    operation_name: str | None = None,
    *,
    override_labels: Iterable[str] = (),
) -> str:
    """The plan the router runs with exactly ``override_labels`` active (custom labels as
    ``EHB_ROUTER_OVERRIDE_LABELS`` enables them, ``percent(N)`` ones as for a request that
    drew them active); labels the supergraph does not use change nothing."""
    view = supergraph.with_override_labels(frozenset(override_labels))
    operation = load_operation(view.api_schema, document, operation_name)
    return print_plan(QueryPlanner(view).plan(operation).query_plan())
