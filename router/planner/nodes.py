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
class FlattenNode:
    """Run ``node`` for the entities found at ``paths`` of the response so far.

    One fetch may serve several paths (all entity needs of a subgraph in one wave). Then
    ``path_requires[i]`` says how to represent the entities at ``paths[i]`` by their
    ``__typename``, and
    ``path_selections[i]`` is the part of the result that belongs to them (the fetch's
    ``requires`` and ``selection`` are the unions): the same response key may mean different
    fields at different paths of the client operation.
    """

    paths: tuple[ResponsePathPattern, ...]
    node: FetchNode
    path_requires: tuple[Mapping[str, RepresentationRule], ...]
    path_selections: tuple[SubSelection, ...]


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
