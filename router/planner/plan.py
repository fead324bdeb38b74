"""Plan an operation: one plan per combination of @skip/@include variable values, so a skipped
selection never causes a fetch; shown merged into one tree with Include/Skip conditions."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from graphql import VariableDefinitionNode, print_ast

from router.operation.document import ClientOperation
from router.operation.normalise import Selection, condition_variables, normalise_operation
from router.planner.builder import FetchGroupBuilder
from router.planner.conditions import merge_variants
from router.planner.context import PlanningContext
from router.planner.nodes import PlanNode, QueryPlan
from router.planner.schedule import OperationNamer, schedule, sequence
from router.supergraph import Supergraph

# Applied to each variant's normalised root selections before planning (authorization):
# (root type, selections) -> (the selections to plan, the selections to shape the response by).
SelectionFilter = Callable[
    [str, tuple[Selection, ...]], tuple[tuple[Selection, ...], tuple[Selection, ...]]
]


class PlannedVariant:
    """The plan of one combination of condition values, and the selections it answers."""

    __slots__ = ("node", "selections")

    def __init__(self, node: PlanNode | None, selections: tuple[Selection, ...]) -> None:
        self.node = node
        self.selections = selections


class OperationPlan:
    """Every variant of one operation; variants are planned on first use."""

    def __init__(
        self,
        planner: QueryPlanner,
        operation: ClientOperation,
        selection_filter: SelectionFilter | None = None,
    ) -> None:
        self._planner = planner
        self.operation = operation
        self._filter = selection_filter
        self.condition_variables = condition_variables(operation)
        self._variants: dict[tuple[bool, ...], PlannedVariant] = {}
        self.variant(tuple(False for _ in self.condition_variables))  # plan errors surface now

    def variant(self, values: tuple[bool, ...]) -> PlannedVariant:
        found = self._variants.get(values)
        if found is None:
            conditions = dict(zip(self.condition_variables, values, strict=True))
            found = self._planner.plan_variant(self.operation, conditions, self._filter)
            self._variants[values] = found
        return found

    def query_plan(self) -> QueryPlan:
        """The whole plan as Apollo shows it: the variants merged, with Include/Skip nodes
        where only some run a fetch and @include/@skip where only some select a field
        (``router.planner.conditions``). Requests run the variant of their values."""
        if not self.condition_variables:
            return QueryPlan(self.variant(()).node)
        return QueryPlan(
            merge_variants(self.condition_variables, lambda values: self.variant(values).node)
        )


class QueryPlanner:
    def __init__(self, supergraph: Supergraph) -> None:
        self.supergraph = supergraph
        self.context = PlanningContext(supergraph)

    def plan(
        self, operation: ClientOperation, selection_filter: SelectionFilter | None = None
    ) -> OperationPlan:
        """``selection_filter`` (authorization) decides what of each variant is planned and
        what its response is shaped by."""
        return OperationPlan(self, operation, selection_filter)

    def plan_variant(
        self,
        operation: ClientOperation,
        conditions: Mapping[str, bool],
        selection_filter: SelectionFilter | None = None,
    ) -> PlannedVariant:
        selections = normalise_operation(self.supergraph.api_schema, operation, conditions)
        kind = operation.operation_type
        root = self.supergraph.schema.get_root_type(operation.operation.operation)
        assert root is not None
        shaped = selections
        if selection_filter is not None:
            selections, shaped = selection_filter(root.name, selections)
        variable_types = {
            definition.variable.name.value: _declared_type(definition)
            for definition in operation.operation.variable_definitions or ()
        }
        namer = OperationNamer(operation.name)
        if kind == "mutation":
            return PlannedVariant(
                self._mutation_plan(root.name, selections, variable_types, namer), shaped
            )
        builder = FetchGroupBuilder(self.context)
        builder.add_root_fields(root.name, selections)
        return PlannedVariant(
            schedule(
                self.context,
                builder.groups,
                kind,
                {**variable_types, **builder.context_variable_types},
                namer,
            ),
            shaped,
        )

    def _mutation_plan(
        self,
        root: str,
        selections: tuple[Selection, ...],
        variable_types: Mapping[str, str],
        namer: OperationNamer,
    ) -> PlanNode | None:
        """Root mutation fields run one after the other, each followed by its entity fetches.

        Consecutive fields of one subgraph share a request (the subgraph runs them serially)
        as long as the earlier ones need no entity fetch in between.
        """
        steps: list[PlanNode] = []
        batch: list[Selection] = []
        builder: FetchGroupBuilder | None = None
        for item in selections:
            if builder is not None and _only_one_root_fetch(builder):
                candidate = FetchGroupBuilder(self.context)
                candidate.add_root_fields(root, (*batch, item))
                if sum(1 for g in candidate.groups.values() if not g.is_entity) <= 1:
                    batch.append(item)
                    builder = candidate
                    continue
            if builder is not None:
                step = schedule(
                    self.context,
                    builder.groups,
                    "mutation",
                    {**variable_types, **builder.context_variable_types},
                    namer,
                )
                if step is not None:
                    steps.append(step)
            batch = [item]
            builder = FetchGroupBuilder(self.context)
            builder.add_root_fields(root, (item,))
        if builder is not None:
            step = schedule(
                self.context,
                builder.groups,
                "mutation",
                {**variable_types, **builder.context_variable_types},
                namer,
            )
            if step is not None:
                steps.append(step)
        return sequence(steps)


def _only_one_root_fetch(builder: FetchGroupBuilder) -> bool:
    groups = list(builder.groups.values())
    return len(groups) <= 1 and not any(group.is_entity for group in groups)


def _declared_type(definition: VariableDefinitionNode) -> str:
    """A variable's type as subgraph operations declare it. The default stays: a nullable
    variable with a default may fill a non-null argument, and subgraphs validate that."""
    if definition.default_value is None:
        return print_ast(definition.type)
    return f"{print_ast(definition.type)}={print_ast(definition.default_value)}"
