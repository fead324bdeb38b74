"""The query planner: normalised operation -> fetch groups -> plan nodes; plus the printer."""

from router.planner.nodes import (
    ConditionNode,
    FetchNode,
    FlattenNode,
    ParallelNode,
    PlanNode,
    QueryPlan,
    SequenceNode,
)
from router.planner.plan import OperationPlan, PlannedVariant, QueryPlanner
from router.planner.printer import print_plan

__all__ = [
    "ConditionNode",
    "FetchNode",
    "FlattenNode",
    "OperationPlan",
    "ParallelNode",
    "PlanNode",
    "PlannedVariant",
    "QueryPlan",
    "QueryPlanner",
    "SequenceNode",
    "print_plan",
]
