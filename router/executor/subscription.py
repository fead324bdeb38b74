"""Subscriptions: the plan of a subscription operation is one upstream subscription (the root
fetch to the subgraph owning the subscription field) followed by the rest of the plan, run for
every event it yields (entity fetches to other subgraphs), then shaped as a query's response
(authorization nulls and errors included, per event)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from router.errors import RequestError
from router.executor.fetch import ExecutionState, merge_root_response
from router.executor.introspection import LocalIntrospection
from router.executor.shape import Shaper
from router.executor.shape_codegen import ShapeFunction
from router.executor.walk import run_plan
from router.planner.nodes import FetchNode, PlanNode, SequenceNode
from router.types import JSONObject, RequestContext, SubgraphFetcher, SubgraphRequest


def split_subscription_plan(node: PlanNode | None) -> tuple[FetchNode | None, PlanNode | None]:
    """(the upstream subscription fetch, what runs per event); (None, None) when nothing is
    left to subscribe to (the field was removed by authorization)."""
    if node is None:
        return None, None
    if isinstance(node, FetchNode) and node.operation_kind == "subscription":
        return node, None
    if isinstance(node, SequenceNode):
        first, *rest = node.nodes
        if isinstance(first, FetchNode) and first.operation_kind == "subscription":
            if not rest:
                return first, None
            return first, rest[0] if len(rest) == 1 else SequenceNode(tuple(rest))
    raise RequestError(
        [
            {
                "message": "the subscription cannot be planned as one upstream subscription",
                "extensions": {"code": "QUERY_PLANNING_FAILED"},
            }
        ],
        500,
    )


class SubscriptionExecution:
    """One client subscription: where to subscribe upstream, and each event's response."""

    def __init__(
        self,
        fetcher: SubgraphFetcher,
        root: FetchNode | None,
        per_event: PlanNode | None,
        variables: Mapping[str, Any],
        inputs: Mapping[str, Any],
        context: RequestContext,
        shape: ShapeFunction,
        introspection: LocalIntrospection,
    ) -> None:
        self._fetcher = fetcher
        self.root = root
        self._per_event = per_event
        self._variables = variables
        self._inputs = inputs
        self.context = context
        self._shape = shape
        self._introspection = introspection

    @property
    def service(self) -> str | None:
        return None if self.root is None else self.root.service

    def upstream_request(self) -> SubgraphRequest:
        assert self.root is not None
        variables = {
            name: self._variables[name]
            for name in self.root.variable_usages
            if name in self._variables
        }
        return SubgraphRequest(
            self.root.operation,
            variables,
            self.root.operation_name,
            operation_kind=self.root.operation_kind,
        )

    async def event(self, result: JSONObject | None) -> JSONObject:
        """The client's response for one upstream event (None: no upstream, the response of
        an operation whose subscription field the caller may not see)."""
        state = ExecutionState(self._fetcher, self._variables, self.context)
        if self.root is not None and result is not None:
            merge_root_response(state, self.root, result)
            if self._per_event is not None:
                await run_plan(state, self._per_event)
        if self._introspection.present:
            state.data.update(self._introspection.run(self._inputs))
        data = Shaper(state.errors, state.explained).run_compiled(state.data, self._shape)
        response: JSONObject = {"data": data}
        if state.errors:
            response["errors"] = state.errors
        return response
