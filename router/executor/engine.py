"""The query engine: prepare (parse, validate, plan; cached) and execute operations."""

from __future__ import annotations

import random
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from functools import cached_property
from typing import Any, Literal, cast

from router.auth.authorize import AuthorizationOutcome, Authorizer
from router.auth.policies import NO_POLICIES, PolicyRules
from router.auth.principal import Principal
from router.errors import QueryPlanningError, RequestError
from router.executor.fetch import ExecutionState
from router.executor.introspection import IntrospectionAccess, LocalIntrospection
from router.executor.shape import ShapeCompiler, Shaper, ShapeSelection
from router.executor.shape_codegen import ShapeFunction, compile_shape
from router.executor.shape_early import EarlyShape, compile_early_shape
from router.executor.subscription import SubscriptionExecution, split_subscription_plan
from router.executor.variables import VariableCoercion
from router.executor.walk import run_plan
from router.operation.demand import OperationDemand
from router.operation.document import ClientOperation
from router.operation.guard import OperationGuard
from router.operation.limits import OperationLimits
from router.planner.nodes import QueryPlan, SequenceNode
from router.planner.override_labels import OverrideLabelPolicy
from router.planner.plan import OperationPlan, QueryPlanner
from router.supergraph import Requirement, Supergraph
from router.telemetry.hooks import plan_cache_missed
from router.types import RequestContext, SubgraphFetcher

OperationType = Literal["query", "mutation", "subscription"]
_NO_LABELS: frozenset[str] = frozenset()
_PlanKey = tuple[str, str | None, frozenset[str], AuthorizationOutcome | None]


class PreparedOperation:
    """A validated, planned client operation, reusable across requests."""

    def __init__(
        self,
        operation: ClientOperation,
        operation_plan: OperationPlan,
        introspection: LocalIntrospection,
        compiler: ShapeCompiler,
        root_type: str,
        variables: VariableCoercion,
        demand: OperationDemand | None = None,
    ) -> None:
        self.operation = operation
        # The estimated-cost check each execution runs (None: demand control is off).
        self.demand = demand
        self.operation_type = cast(OperationType, operation.operation_type)
        self.operation_plan = operation_plan
        self.introspection = introspection
        self.variables = variables
        self._compiler = compiler
        self._root_type = root_type
        self._shapes: dict[tuple[bool, ...], ShapeSelection] = {}
        self._compiled: dict[tuple[bool, ...], ShapeFunction] = {}
        self._early: dict[tuple[bool, ...], EarlyShape | None] = {}

    @cached_property
    def plan(self) -> QueryPlan:
        """The whole plan, with Condition nodes for variable @skip/@include."""
        return self.operation_plan.query_plan()

    def shape_for(self, values: tuple[bool, ...]) -> ShapeSelection:
        shape = self._shapes.get(values)
        if shape is None:
            selections = list(self.operation_plan.variant(values).selections)
            shape = self._compiler.compile(self._root_type, selections)
            self._shapes[values] = shape
        return shape

    def early_shape_for(self, values: tuple[bool, ...]) -> EarlyShape | None:
        """How this variant's answer is shaped part by part as its fetches complete; None
        when its plan is not one dataflow (mutations, a single fetch)."""
        if values in self._early:
            return self._early[values]
        node = self.operation_plan.variant(values).node
        early = None
        if isinstance(node, SequenceNode) and node.dataflow is not None:
            early = compile_early_shape(self.shape_for(values), node.dataflow)
        self._early[values] = early
        return early

    def compiled_shape_for(self, values: tuple[bool, ...]) -> ShapeFunction:
        compiled = self._compiled.get(values)
        if compiled is None:
            compiled = compile_shape(self.shape_for(values))
            self._compiled[values] = compiled
        return compiled


class QueryEngine:
    def __init__(
        self,
        supergraph: Supergraph,
        fetcher: SubgraphFetcher,
        *,
        plan_cache_size: int = 1024,
        override_labels: Iterable[str] = (),
        rng: random.Random | None = None,
        policies: PolicyRules = NO_POLICIES,
        limits: OperationLimits | None = None,
    ) -> None:
        """``override_labels``: the custom progressive-override labels to treat as active;
        ``rng`` decides the ``percent(N)`` labels of each request (injectable for tests);
        ``policies``: the rules deciding the supergraph's ``@policy`` names; ``limits``: the
        operation limits, demand control and introspection access (default: the defaults)."""
        self.supergraph = supergraph
        limits = limits or OperationLimits()
        self._guard = OperationGuard(supergraph.api_schema, supergraph.schema, limits)
        self._introspection = IntrospectionAccess(limits.introspection, limits.introspection_scope)
        self.authorizer = (
            Authorizer(supergraph.authorization, supergraph.api_schema, policies)
            if supergraph.authorization
            else None
        )
        # (document, operation name) -> the requirements filtering it may consult.
        self._requirements: OrderedDict[tuple[str, str | None], frozenset[Requirement]] = (
            OrderedDict()
        )
        self._fetcher = fetcher
        self._planner = QueryPlanner(supergraph)
        # One planner per set of active override labels: at most 2**labels of the supergraph.
        self._planners: dict[frozenset[str], QueryPlanner] = {frozenset(): self._planner}
        self._labels = OverrideLabelPolicy(supergraph.override_labels, override_labels, rng)
        self._compiler = ShapeCompiler(supergraph.api_schema, self._planner.context)
        self._cache: OrderedDict[_PlanKey, PreparedOperation] = OrderedDict()
        self._cache_size = plan_cache_size

    def planner_for(self, override_labels: frozenset[str]) -> QueryPlanner:
        """The planner that plans with exactly these override labels active."""
        active = override_labels & self.supergraph.override_labels
        planner = self._planners.get(active)
        if planner is None:
            planner = QueryPlanner(self.supergraph.with_override_labels(active))
            self._planners[active] = planner
        return planner

    def prepare(
        self,
        document: str,
        operation_name: str | None,
        *,
        override_labels: frozenset[str] | None = None,
        principal: Principal | None = None,
    ) -> PreparedOperation:
        """Parse, validate, authorize and plan (cached); raises RequestError for unusable
        documents.

        ``override_labels``: the active progressive-override labels; by default they are
        decided for this request (``percent(N)`` at random, custom labels by configuration).
        ``principal``: the caller (None: anonymous); the fields its authorization outcome
        forbids are removed before planning (``router.auth.authorize``).
        The plan cache keeps one entry per document, set of active labels and authorization
        outcome (which requirements of the document the caller fails).
        """
        if not self.supergraph.override_labels:
            labels = _NO_LABELS  # the common case: nothing to draw, one cache entry
        elif override_labels is None:
            labels = self._labels.for_request()
        else:
            labels = override_labels & self.supergraph.override_labels
        operation: ClientOperation | None = None
        outcome: AuthorizationOutcome | None = None
        if self.authorizer is not None:
            operation, outcome = self._authorize(document, operation_name, principal)
        key = (document, operation_name, labels, outcome)
        prepared = self._cache.get(key)
        if prepared is not None:
            self._cache.move_to_end(key)
            self._introspection.check(prepared.introspection, principal)
            return prepared
        plan_cache_missed()
        if operation is None:
            operation = self._guard.load(document, operation_name)
        introspection = LocalIntrospection(self.supergraph.api_schema, operation)
        self._introspection.check(introspection, principal)
        selection_filter = (
            None
            if outcome is None or self.authorizer is None
            else self.authorizer.selection_filter(outcome)
        )
        try:
            operation_plan = self.planner_for(labels).plan(operation, selection_filter)
        except QueryPlanningError as error:
            raise RequestError(
                [{"message": str(error), "extensions": {"code": "QUERY_PLANNING_FAILED"}}], 500
            ) from error
        root = self.supergraph.api_schema.get_root_type(operation.operation.operation)
        assert root is not None
        prepared = PreparedOperation(
            operation,
            operation_plan,
            introspection,
            self._compiler,
            root.name,
            VariableCoercion(
                self.supergraph.api_schema,
                tuple(operation.operation.variable_definitions or ()),
            ),
            self._guard.demand(operation),
        )
        self._cache[key] = prepared
        if len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
        return prepared

    def _authorize(
        self, document: str, operation_name: str | None, principal: Principal | None
    ) -> tuple[ClientOperation | None, AuthorizationOutcome | None]:
        """The caller's outcome for this document (and the operation, when it was parsed)."""
        assert self.authorizer is not None
        operation = None
        requirement_key = (document, operation_name)
        requirements = self._requirements.get(requirement_key)
        if requirements is None:
            operation = self._guard.load(document, operation_name)
            requirements = self.authorizer.relevant(operation)
            self._requirements[requirement_key] = requirements
            if len(self._requirements) > self._cache_size:
                self._requirements.popitem(last=False)
        else:
            self._requirements.move_to_end(requirement_key)
        if not requirements:
            return operation, None
        return operation, self.authorizer.outcome(requirements, principal)

    def subscribe(
        self,
        prepared: PreparedOperation,
        variables: Mapping[str, Any] | None,
        context: RequestContext,
    ) -> SubscriptionExecution:
        """A prepared subscription for these variables: its upstream subscription and how
        each event becomes the client's response; raises RequestError for bad variables."""
        inputs = variables or {}
        coerced = prepared.variables.coerce(inputs)
        if prepared.demand is not None:
            prepared.demand.check(coerced)
        operation_plan = prepared.operation_plan
        values = tuple(bool(coerced.get(name)) for name in operation_plan.condition_variables)
        root, per_event = split_subscription_plan(operation_plan.variant(values).node)
        return SubscriptionExecution(
            self._fetcher,
            root,
            per_event,
            prepared.variables.for_subgraphs(inputs),
            inputs,
            context,
            prepared.compiled_shape_for(values),
            prepared.introspection,
        )

    async def execute(
        self,
        prepared: PreparedOperation,
        variables: Mapping[str, Any] | None,
        context: RequestContext,
    ) -> dict[str, Any]:
        """The GraphQL response; raises RequestError (BAD_USER_INPUT) for bad variables."""
        if prepared.operation_type == "subscription":
            raise RequestError(
                [
                    {
                        "message": "subscriptions are served over WebSocket or SSE, not here",
                        "extensions": {"code": "BAD_REQUEST"},
                    }
                ]
            )
        inputs = variables or {}
        coerced = prepared.variables.coerce(inputs)
        if prepared.demand is not None:
            prepared.demand.check(coerced)
        operation_plan = prepared.operation_plan
        values = tuple(bool(coerced.get(name)) for name in operation_plan.condition_variables)
        variant = operation_plan.variant(values)
        state = ExecutionState(self._fetcher, prepared.variables.for_subgraphs(inputs), context)
        early = prepared.early_shape_for(values)
        if early is not None:
            state.early = early.start()
        if variant.node is not None:
            await run_plan(state, variant.node)
        if prepared.introspection.present:
            state.data.update(prepared.introspection.run(inputs))
        data = None if state.early is None else state.early.finish(state.data)
        if data is None:  # nothing shaped early, or the answer needs errors
            data = Shaper(state.errors, state.explained).run_compiled(
                state.data, prepared.compiled_shape_for(values)
            )
        response: dict[str, Any] = {"data": data}
        if state.errors:
            response["errors"] = state.errors
        return response
