"""Query plan nodes: a small union of node kinds, as in Apollo's query plans."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from router.planner.aliases import Renames
from router.planner.selection import SubSelection, print_compact, renamed_variables

if TYPE_CHECKING:
    from router.planner.dataflow import Dataflow

ResponsePathPattern = tuple[str, ...]  # response keys, "@" for every item of a list


@dataclass(frozen=True, slots=True)
class FetchNode:
    """One request to one subgraph. Entity fetches carry ``requires`` (the representation)."""

    service: str
    operation: str  # the document sent to the subgraph
    operation_name: str | None
    operation_kind: str  # "query" | "mutation"
    variable_usages: tuple[str, ...]
    selection: SubSelection  # as sent (with aliases where fields cannot merge)
    requires: SubSelection | None = None
    # Aliases to undo in the answer before it is merged (see ``router.planner.aliases``).
    renames: Renames | None = None

    @property
    def is_entity_fetch(self) -> bool:
        return self.requires is not None


@dataclass(frozen=True, slots=True)
class RepresentationRule:
    """How to represent an entity of one ``__typename`` to the target subgraph."""

    typename: str  # sent as the representation's __typename
    selection: SubSelection  # the fields to send


@dataclass(frozen=True, slots=True)
class ContextRewrite:
    """A @fromContext argument of an entity fetch: its value is the one leaf ``selection``
    selects (under ``... on Type`` fragments matching the ancestor's ``__typename``, except at
    the root) on the ancestor reached by the first ``depth`` steps of the entity's path, and
    travels as the variable ``variable`` (see ``ContextBatches`` for differing values). One
    variable may have rewrites at several depths (the field reached through ancestors of other
    types): they come deepest first, and each entity uses the first whose selection applies."""

    variable: str
    depth: int
    selection: SubSelection


_KEPT_BATCH_OPERATIONS = 32


@dataclass(frozen=True, slots=True)
class ContextBatches:
    """How one request carries entities whose context values differ (Apollo Router renames
    the context variables per set of values in the same way): ``_entities`` is selected once
    per set of values, aliased ``_<i>``, with ``$representations_<i>`` and every context
    variable renamed ``$<variable>_<i>``. Each operation text is rendered on first use per
    number of sets and kept with the plan (up to 32 sets)."""

    head: str  # "query" or "query Name"
    variable_definitions: tuple[str, ...]  # the client variables' "$name:Type"
    context_variables: tuple[tuple[str, str], ...]  # (variable, GraphQL type)
    selection: SubSelection  # under _entities
    _operations: dict[int, str] = field(default_factory=dict, compare=False, repr=False)

    def operation(self, count: int) -> str:
        found = self._operations.get(count)
        if found is None:
            found = self._render(count)
            if count <= _KEPT_BATCH_OPERATIONS:  # larger ones are rare and big: not kept
                self._operations[count] = found
        return found

    def _render(self, count: int) -> str:
        definitions: list[str] = []
        fields: list[str] = []
        for index in range(count):
            definitions.append(f"$representations_{index}:[_Any!]!")
            definitions.extend(f"${name}_{index}:{kind}" for name, kind in self.context_variables)
            selection = renamed_variables(
                self.selection, {name: f"{name}_{index}" for name, _ in self.context_variables}
            )
            fields.append(
                f"_{index}:_entities(representations:$representations_{index})"
                + print_compact(selection)
            )
        definitions.extend(self.variable_definitions)
        return f"{self.head}({','.join(definitions)}){{{' '.join(fields)}}}"


@dataclass(frozen=True, slots=True)
class EntityTarget:
    """Entities a flattened fetch serves: where they are, how to represent them (by
    ``__typename``) and which part of the fetch's result belongs to them."""

    path: ResponsePathPattern
    rules: Mapping[str, RepresentationRule]
    selection: SubSelection
    contexts: tuple[ContextRewrite, ...] = ()
    # Whether the fetch answers this target's entities with exactly ``selection``: no other
    # target of the fetch selects anything else on their types, so the whole answer can be
    # merged as it is (no per-selection copy).
    takes_whole_answer: bool = False


@dataclass(frozen=True, slots=True)
class FlattenNode:
    """Run ``node`` for the entities found at ``paths`` of the response so far.

    One fetch may serve several paths and entity types (all entity needs of a subgraph in
    one wave): each target keeps its own representation rules and result selection, because
    the same response key may mean different fields at different places of the operation.
    """

    paths: tuple[ResponsePathPattern, ...]
    node: FetchNode
    targets: tuple[EntityTarget, ...]
    # Set when the fetch takes @fromContext arguments (its targets carry the rewrites).
    context_batches: ContextBatches | None = None


@dataclass(frozen=True, slots=True)
class SequenceNode:
    nodes: tuple[PlanNode, ...]
    # For a query's waves: which fetches each fetch reads from (``router.planner.dataflow``),
    # so each starts as soon as those are merged. Not part of the plan Apollo would print.
    dataflow: Dataflow | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class ParallelNode:
    nodes: tuple[PlanNode, ...]


@dataclass(frozen=True, slots=True)
class ConditionNode:
    """Choose a branch by the value of a Boolean variable (``@skip``/``@include``)."""

    condition: str
    if_clause: PlanNode | None
    else_clause: PlanNode | None


PlanNode = FetchNode | FlattenNode | SequenceNode | ParallelNode | ConditionNode


@dataclass(frozen=True, slots=True)
class QueryPlan:
    node: PlanNode | None
