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
    await _DataflowRun(state, dataflow).run()


class _DataflowRun:
    """One execution of a dataflow. Only fetches whose inputs are merged get a task: a finished
    fetch goes on, in its own task, with the first fetch it made ready (no new task, no event
    loop turn before its request is sent) and starts tasks for the others."""

    __slots__ = ("_dataflow", "_done", "_left", "_state", "_tasks", "_unmet")

    def __init__(self, state: ExecutionState, dataflow: Dataflow) -> None:
        self._state = state
        self._dataflow = dataflow
        self._unmet = [len(inputs) for inputs in dataflow.inputs]
        self._left = len(dataflow.fetches)
        self._tasks: list[asyncio.Task[None]] = []
        self._done: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    async def run(self) -> None:
        for index, unmet in enumerate(self._unmet):
            if not unmet:
                self._start(index)
        try:
            await self._done
        except BaseException:
            for task in self._tasks:
                task.cancel()
            raise

    def _start(self, index: int) -> None:
        task = asyncio.ensure_future(self._chain(index))
        task.add_done_callback(self._finished)
        self._tasks.append(task)

    async def _chain(self, index: int | None) -> None:
        state, dataflow = self._state, self._dataflow
        while index is not None:
            await run_plan(state, dataflow.fetches[index])
            self._left -= 1
            if state.early is not None:  # shape what no fetch still in flight writes into
                state.early.fetch_done(dataflow, index, state.data)
            index = self._next_after(index)
        if not self._left and not self._done.done():
            self._done.set_result(None)  # now, not once this task's done callback has run

    def _next_after(self, finished: int) -> int | None:
        """Starts tasks for the fetches ``finished`` made ready but the first, returned."""
        unmet, follow = self._unmet, None
        for dependent in self._dataflow.dependents[finished]:
            unmet[dependent] -= 1
            if not unmet[dependent]:
                if follow is None:
                    follow = dependent
                else:
                    self._start(dependent)
        return follow

    def _finished(self, task: asyncio.Task[None]) -> None:
        """A chain that failed ends the run (the one merging the last fetch ended it)."""
        done = self._done
        if done.done():
            return
        if task.cancelled():
            done.cancel()
        elif (error := task.exception()) is not None:
            for other in self._tasks:
                other.cancel()
            done.set_exception(error)
