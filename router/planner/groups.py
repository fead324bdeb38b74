"""Fetch groups: the subgraph requests the planner accumulates before it schedules them."""

from __future__ import annotations

from dataclasses import dataclass, field

from router.planner.nodes import ContextRewrite, ResponsePathPattern
from router.planner.selection import SubSelection


@dataclass(eq=False, slots=True)
class FetchGroup:
    """One subgraph request under construction.

    A root group selects from the root type; an entity group selects ``... on T`` fragments
    under ``_entities`` for the objects found at ``paths`` and sends ``requires`` of them.
    """

    id: int
    subgraph: str
    paths: list[ResponsePathPattern]
    selection: SubSelection = field(default_factory=SubSelection)
    requires: SubSelection | None = None
    dependencies: set[int] = field(default_factory=set)
    # Set when the group serves only these entity types (a hop through an @interfaceObject
    # selects "... on Interface", which would otherwise apply to every implementation).
    entity_types: frozenset[str] | None = None
    # After merging (scheduling): the requires and selection of every path/type it serves.
    entries: list[GroupEntry] = field(default_factory=list)
    # @fromContext arguments the group's fields take (never merged with other groups).
    contexts: list[ContextRewrite] = field(default_factory=list)

    @property
    def is_entity(self) -> bool:
        return self.requires is not None


@dataclass(eq=False, slots=True)
class GroupEntry:
    path: ResponsePathPattern
    entity_types: frozenset[str] | None
    requires: SubSelection
    selection: SubSelection


def depends_on(groups: dict[int, FetchGroup], start: int, target: int) -> bool:
    """Whether group ``start`` (transitively) waits for group ``target``."""
    stack = [start]
    seen: set[int] = set()
    while stack:
        current = stack.pop()
        if current == target:
            return True
        if current in seen:
            continue
        seen.add(current)
        stack.extend(groups[current].dependencies)
    return False
