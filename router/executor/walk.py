"""Walk a plan: sequences in order, parallel branches concurrently."""

from __future__ import annotations

import asyncio

from router.executor.fetch import ExecutionState, run_entity_fetch, run_root_fetch
from router.planner.nodes import (
    ConditionNode,
    FetchNode,
    FlattenNode,
    ParallelNode,
    PlanNode,
    SequenceNode,
)


async def run_plan(state: ExecutionState, node: PlanNode) -> None:
    if isinstance(node, FlattenNode):
        await run_entity_fetch(state, node)
    elif isinstance(node, FetchNode):
        await run_root_fetch(state, node)
    elif isinstance(node, SequenceNode):
        for child in node.nodes:
            await run_plan(state, child)
    elif isinstance(node, ParallelNode):
        await asyncio.gather(*(run_plan(state, child) for child in node.nodes))
    else:
        assert isinstance(node, ConditionNode)
        branch = node.if_clause if state.variables.get(node.condition) else node.else_clause
        if branch is not None:
            await run_plan(state, branch)
