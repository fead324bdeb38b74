"""Query plan nodes: a small union of node kinds, as in Apollo's query plans."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from router.planner.selection import SubSelection

ResponsePathPattern = tuple[str, ...]  # response keys, "@" for every item of a list


@dataclass(frozen=True, slots=True)
class FetchNode:
    """One request to one subgraph. Entity fetches carry ``requires`` (the representation)."""

    service: str
    operation: str  # the document sent to the subgraph
    operation_name: str | None
    operation_kind: str  # "query" | "mutation"
    variable_usages: tuple[str, ...]
    selection: SubSelection
    requires: SubSelection | None = None

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
    """A @fromContext argument of an entity fetch: its value is ``selection`` (one field)
    read from the ancestor reached by the first ``depth`` steps of the entity's path, and
    travels as the variable ``variable`` (entities with different values go separately)."""

    variable: str
    depth: int
    selection: SubSelection


@dataclass(frozen=True, slots=True)
class EntityTarget:
    """Entities a flattened fetch serves: where they are, how to represent them (by
    ``__typename``) and which part of the fetch's result belongs to them."""

    path: ResponsePathPattern
    rules: Mapping[str, RepresentationRule]
    selection: SubSelection
    contexts: tuple[ContextRewrite, ...] = ()


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


@dataclass(frozen=True, slots=True)
class SequenceNode:
    nodes: tuple[PlanNode, ...]


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
