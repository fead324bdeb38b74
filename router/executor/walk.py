"""Walk a plan: sequences in order, parallel branches concurrently."""

from __future__ import annotations

import asyncio

from router.executor.fetch import ExecutionState, run_entity_fetch, run_root_fetch
from router.planner.dataflow import Dataflow
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
        if node.dataflow is not None:
            await run_dataflow(state, node.dataflow)
            return
        for child in node.nodes:
            await run_plan(state, child)
    elif isinstance(node, ParallelNode):
        await asyncio.gather(*(run_plan(state, child) for child in node.nodes))
    else:
        assert isinstance(node, ConditionNode)
        branch = node.if_clause if state.variables.get(node.condition) else node.else_clause
        if branch is not None:
            await run_plan(state, branch)


async def run_dataflow(state: ExecutionState, dataflow: Dataflow) -> None:
    """Every fetch starts as soon as the fetches it reads from are done (not the whole wave
    before it). A failure other than a subgraph's (those become errors in the response)
    cancels the rest."""
    started: list[asyncio.Task[None]] = []
    for index, (fetch, inputs) in enumerate(zip(dataflow.fetches, dataflow.inputs, strict=True)):
        waits_for = [started[earlier] for earlier in inputs]
        started.append(asyncio.ensure_future(_after(waits_for, state, dataflow, index, fetch)))
    try:
        await asyncio.gather(*started)
    except BaseException:
        for task in started:
            task.cancel()
        raise


async def _after(
    inputs: list[asyncio.Task[None]],
    state: ExecutionState,
    dataflow: Dataflow,
    index: int,
    fetch: FetchNode | FlattenNode,
) -> None:
    for task in inputs:
        await task
    await run_plan(state, fetch)
    if state.early is not None:  # shape what no fetch still in flight writes into
        state.early.fetch_done(dataflow, index, state.data)
