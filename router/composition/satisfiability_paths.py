"""What the subgraphs can fetch from where: the moves of Apollo's satisfiability query graph.

An *option* is one way a query can stand on an object: the subgraph that fetched it and the
selection a @provides on the way there promised (text, or None). From an option a field can be
taken when that subgraph resolves it (or the path provides it) and its @requires can be
fetched; an entity jump reaches another subgraph when one of its resolvable @key selections can
be fetched from where the query already is. Selections are checked whole: nested key and
@requires fields are fetched from wherever their parent field was.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, field

from graphql import GraphQLSyntaxError, print_ast
from graphql.language import ast

from router.composition.fieldset import parse_field_set
from router.composition.model import Field, MergedType, Supergraph, TypeSource

Option = tuple[str, str | None]


@dataclass(frozen=True)
class Jump:
    """An entity jump the query could not (or, per Apollo, need not) take."""

    source: str
    target: str
    fields: str
    ignored: bool
    # From an @interfaceObject standing in for the type: Apollo goes no further from there.
    from_interface_object: bool = False


@dataclass
class Paths:
    supergraph: Supergraph
    _reachable: dict[tuple[str, Option, frozenset[str]], tuple[Option, ...]] = field(
        default_factory=dict
    )
    _exploring: set[tuple[str, Option, frozenset[str]]] = field(default_factory=set)
    _requiring: set[tuple[str, str, str]] = field(default_factory=set)

    def reachable(
        self, merged: MergedType, option: Option, excluded: frozenset[str] = frozenset()
    ) -> tuple[Option, ...]:
        """``option`` first, then every subgraph (but ``excluded``) entity jumps reach from it."""
        cache_key = (merged.name, option, excluded)
        if cache_key in self._reachable:
            return self._reachable[cache_key]
        if cache_key in self._exploring:  # a key that needs itself: no jump from here
            return (option,)
        self._exploring.add(cache_key)
        try:
            reached = [option]
            graphs = {option[0]} | excluded
            targets = self._key_selections(merged)
            changed = True
            while changed:
                changed = False
                for graph, keys in targets.items():
                    if graph not in graphs and any(
                        self.available(merged, selection_set, reached) for _, selection_set in keys
                    ):
                        reached.append((graph, None))
                        graphs.add(graph)
                        changed = True
        finally:
            self._exploring.discard(cache_key)
        if not self._exploring and not self._requiring:  # not cut short by a cycle: final
            self._reachable[cache_key] = tuple(reached)
        return tuple(reached)

    def explore(
        self, merged: MergedType, option: Option, route: tuple[str, ...] | None = None
    ) -> tuple[list[Option], list[Jump]]:
        """Entity jumps from ``option`` in Apollo's order (breadth first, subgraphs in order):
        the options reached, and the jumps not taken (a key that could not be used, or one
        Apollo ignores as a detour: after a jump, a jump with the same key; or, for an option
        whose ``route`` (root type, then query path) stayed in its subgraph, a jump to a
        subgraph that follows the same route from its own root)."""
        reached = [option]
        detours: set[str] = set()
        arrived_with: dict[str, str] = {}
        failures: list[Jump] = []
        targets = self._key_selections(merged)
        for current in reached:
            if current is not option and self.interface_object_for(merged, current[0]):
                failures += [
                    Jump(current[0], graph, "", ignored=True, from_interface_object=True)
                    for graph, keys in targets.items()
                    if graph != current[0] and keys
                ]
                continue
            edges = [
                (graph, fields, selection_set)
                for graph, keys in targets.items()
                if graph != current[0]
                for fields, selection_set in keys
            ]
            used = arrived_with.get(current[0])
            followups = [edge for edge in edges if used is None or _same(edge[1]) != used]
            if not followups:
                failures += [
                    Jump(current[0], graph, fields, ignored=True)
                    for graph, fields, _ in edges
                    if graph != option[0]
                ]
                continue
            for graph, fields, selection_set in followups:
                if graph in detours or any(graph == known for known, _ in reached):
                    continue
                # The key's fields are fetched from here, without the subgraph it leads to.
                options = self.reachable(merged, current, frozenset({graph}))
                if not self.available(merged, selection_set, options):
                    failures.append(Jump(current[0], graph, fields, ignored=False))
                elif current is option and route and self._follows(graph, route, merged.name):
                    failures.append(Jump(current[0], graph, fields, ignored=True))
                    detours.add(graph)
                else:
                    reached.append((graph, None))
                    arrived_with[graph] = _same(fields)
        return reached, failures

    def _follows(self, graph: str, route: tuple[str, ...], type_name: str) -> bool:
        """The subgraph resolves the route's fields (no @requires) from its own root up to
        the type: the query could have stayed there."""
        current = route[0]
        for step in route[1:]:
            merged = self.supergraph.types.get(current)
            if merged is None or graph not in merged.sources:
                return False
            if step.startswith("... on "):
                current = step.removeprefix("... on ")
                continue
            merged_field = merged.fields.get(step)
            source = merged_field.sources.get(graph) if merged_field is not None else None
            if source is None or source.external or source.used_overridden or source.requires:
                return False
            current = _named(source.type)
        return current == type_name

    def interface_object_for(self, merged: MergedType, graph: str) -> str | None:
        """The interface an @interfaceObject of the subgraph stands for, when the subgraph
        does not define the type itself."""
        if graph in merged.sources:
            return None
        for interface_name in merged.implements:
            interface = self.supergraph.types.get(interface_name)
            source = interface.sources.get(graph) if interface is not None else None
            if source is not None and source.is_interface_object:
                return interface_name
        return None

    def _key_selections(
        self, merged: MergedType
    ) -> dict[str, list[tuple[str, ast.SelectionSetNode]]]:
        """Per subgraph an object can jump to, its resolvable keys (text and parsed)."""
        return {
            graph: [
                (key.fields, selection_set)
                for key in source.keys
                if key.resolvable and (selection_set := _parse(key.fields)) is not None
            ]
            for graph, source in self.jump_targets(merged).items()
        }

    def jump_targets(self, merged: MergedType) -> dict[str, TypeSource]:
        """Where an object of the type can be sent: its subgraphs and @interfaceObject ones."""
        targets: dict[str, TypeSource] = dict(merged.sources)
        for interface_name in merged.implements:
            interface = self.supergraph.types.get(interface_name)
            if interface is not None:
                for graph, source in interface.sources.items():
                    if source.is_interface_object:
                        targets.setdefault(graph, source)
        return targets

    def available(
        self,
        merged: MergedType,
        selection_set: ast.SelectionSetNode,
        options: Sequence[Option],
        arrived: frozenset[Option] = frozenset(),
    ) -> bool:
        """Every field of the selection can be fetched from one of ``options`` (``arrived``:
        those the query reached through a field rather than an entity jump)."""
        for selection in selection_set.selections:
            if isinstance(selection, ast.FieldNode):
                if selection.name.value == "__typename":
                    continue
                merged_field = merged.fields.get(selection.name.value)
                if merged_field is None or not any(
                    self._fetchable(
                        merged,
                        merged_field,
                        option,
                        selection.selection_set,
                        after_field=option in arrived,
                    )
                    for option in options
                ):
                    return False
            elif isinstance(selection, ast.InlineFragmentNode) and not self._fragment_available(
                merged, selection, options, arrived
            ):
                return False
        return True

    def _fragment_available(
        self,
        merged: MergedType,
        fragment: ast.InlineFragmentNode,
        options: Sequence[Option],
        arrived: frozenset[Option],
    ) -> bool:
        condition = fragment.type_condition.name.value if fragment.type_condition else merged.name
        if condition == merged.name:
            return self.available(merged, fragment.selection_set, options, arrived)
        target = self.supergraph.types.get(condition)
        if target is None:
            return False
        narrowed = {
            (graph, narrow(provided, condition)): (graph, provided) in arrived
            for graph, provided in options
            if graph in target.sources
        }
        if not narrowed:  # no subgraph here returns that type: the fragment never applies
            return True
        reached = tuple(
            dict.fromkeys(r for option in narrowed for r in self.reachable(target, option))
        )
        still_arrived = frozenset(option for option, was in narrowed.items() if was)
        return self.available(target, fragment.selection_set, reached, still_arrived)

    def _fetchable(
        self,
        merged: MergedType,
        merged_field: Field,
        option: Option,
        selection_set: ast.SelectionSetNode | None,
        *,
        after_field: bool,
    ) -> bool:
        if not self.resolvable_at(merged, merged_field, option):
            return False
        if not self.requirements_met(merged, merged_field, option, after_field=after_field):
            return False
        if selection_set is None:
            return True
        child_type, child_option = self.advance(merged, merged_field, option)
        child = self.supergraph.types.get(child_type)
        if child is None:
            return True
        reached = self.reachable(child, child_option)
        return self.available(child, selection_set, reached, frozenset({child_option}))

    def resolvers(self, merged: MergedType, merged_field: Field) -> list[str]:
        """Subgraphs resolving the field (an @interfaceObject's for fields it adds)."""
        if not merged_field.from_interface_object:
            return resolving_graphs(merged_field)
        graphs: list[str] = []
        for interface_name in merged.implements:
            interface = self.supergraph.types.get(interface_name)
            if interface is None or merged_field.name not in interface.fields:
                continue
            graphs += [
                g
                for g in resolving_graphs(interface.fields[merged_field.name])
                if interface.sources.get(g) and interface.sources[g].is_interface_object
            ]
        return graphs

    def resolvable_at(self, merged: MergedType, merged_field: Field, option: Option) -> bool:
        graph, provided = option
        if graph in self.resolvers(merged, merged_field):
            return True
        return (
            provided is not None
            and merged_field.name in provided_fields(provided)
            and graph in merged_field.sources
        )

    def requirements_met(
        self, merged: MergedType, merged_field: Field, option: Option, *, after_field: bool
    ) -> bool:
        """The field's @requires there can be fetched, starting where the query stands, and
        (where the query came through a field, not an entity jump) the subgraph has a key to
        resume the query with once they are."""
        graph = option[0]
        source = merged_field.sources.get(graph)
        if source is None or not source.requires:
            return True
        if after_field and not self.resumable(merged, graph):
            return False
        selection_set = _parse(source.requires)
        key = (merged.name, merged_field.name, graph)
        if selection_set is None or key in self._requiring:
            return False
        self._requiring.add(key)
        try:
            return self.available(merged, selection_set, self.reachable(merged, option))
        finally:
            self._requiring.discard(key)

    def resumable(self, merged: MergedType, graph: str) -> bool:
        """The type has a @key in the subgraph that selects no @external field (Apollo's
        locally satisfiable key), so an entity fetch can come back after a @requires."""
        source = self.jump_targets(merged).get(graph)
        for key in source.keys if source is not None else ():
            selection_set = _parse(key.fields)
            if selection_set is not None and not self._selects_external(
                merged, selection_set, graph
            ):
                return True
        return False

    def _selects_external(
        self, merged: MergedType, selection_set: ast.SelectionSetNode, graph: str
    ) -> bool:
        for selection in selection_set.selections:
            if not isinstance(selection, ast.FieldNode) or selection.name.value == "__typename":
                continue
            merged_field = merged.fields.get(selection.name.value)
            source = merged_field.sources.get(graph) if merged_field is not None else None
            if source is None:
                continue
            if source.external:
                return True
            child = self.supergraph.types.get(_named(source.type))
            if (
                selection.selection_set is not None
                and child is not None
                and self._selects_external(child, selection.selection_set, graph)
            ):
                return True
        return False

    def advance(
        self, merged: MergedType, merged_field: Field, option: Option
    ) -> tuple[str, Option]:
        """The type the field leads to in that subgraph, and what is provided there."""
        graph, provided = option
        source = merged_field.sources.get(graph)
        child_type = _named(source.type if source is not None else merged_field.type)
        parts: list[str] = []
        if provided is not None:
            node = provided_fields(provided).get(merged_field.name)
            if node is not None and node.selection_set is not None:
                parts.append(_print_selections(node.selection_set.selections))
        if source is not None and source.provides:
            parts.append(source.provides)
        return child_type, (graph, " ".join(parts) or None)


def resolving_graphs(merged_field: Field) -> list[str]:
    return [
        graph
        for graph, source in merged_field.sources.items()
        if not source.external and not source.used_overridden
    ]


def narrow(provided: str | None, type_name: str) -> str | None:
    """What a provided selection on an abstract type provides on one of its runtime types."""
    selection_set = _parse(provided) if provided is not None else None
    if selection_set is None:
        return None
    kept: list[ast.SelectionNode] = []
    for selection in selection_set.selections:
        if isinstance(selection, ast.InlineFragmentNode):
            condition = selection.type_condition
            if condition is None or condition.name.value == type_name:
                kept += selection.selection_set.selections
        else:
            kept.append(selection)
    return _print_selections(kept) or None


@functools.cache
def provided_fields(provided: str) -> dict[str, ast.FieldNode]:
    selection_set = _parse(provided)
    fields: dict[str, ast.FieldNode] = {}
    for selection in selection_set.selections if selection_set is not None else ():
        if isinstance(selection, ast.FieldNode):
            fields.setdefault(selection.name.value, selection)
        elif isinstance(selection, ast.InlineFragmentNode) and selection.type_condition is None:
            for inner in selection.selection_set.selections:
                if isinstance(inner, ast.FieldNode):
                    fields.setdefault(inner.name.value, inner)
    return fields


@functools.cache
def _parse(fields: str) -> ast.SelectionSetNode | None:
    try:
        return parse_field_set(fields)
    except GraphQLSyntaxError:  # an invalid selection was already reported by subgraph checks
        return None


def _print_selections(selections: tuple[ast.SelectionNode, ...] | list[ast.SelectionNode]) -> str:
    return " ".join(" ".join(print_ast(selection).split()) for selection in selections)


def _same(fields: str) -> str:
    """A key selection in one spelling, to tell two keys with the same fields."""
    selection_set = _parse(fields)
    return _print_selections(selection_set.selections) if selection_set is not None else fields


def _named(type_reference: str) -> str:
    return type_reference.strip("[]!")
