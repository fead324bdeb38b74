"""A basic satisfiability check: every field reachable from a root can be fetched.

Walks the supergraph from each root field, tracking which subgraph fetched the current object.
A field is satisfiable there if that subgraph resolves it, or if some subgraph that resolves it
can be reached by entity jumps: a resolvable @key whose top-level fields the subgraphs reached so
far resolve, and whose @requires top-level fields can be fetched. Simplifications: nested key
and @requires selections are checked at their top level only, @provides is not used as a
shortcut (an @external field counts as unresolvable where it is declared), and abstract types are
expanded to the implementations each subgraph knows. Shared abstract fields must have at least
one common runtime type (SHAREABLE_HAS_MISMATCHED_RUNTIME_TYPES).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from graphql import GraphQLSyntaxError
from graphql.language import ast

from router.composition.fieldset import parse_field_set
from router.composition.model import Field, MergedType, Supergraph, TypeSource
from router.composition.results import Diagnostics
from router.composition.runtime_types import disjoint_runtime_types
from router.composition.subgraph import ROOT_TYPE_NAMES


def check_satisfiability(supergraph: Supergraph, diagnostics: Diagnostics) -> None:
    _Walker(supergraph, diagnostics).run()


@dataclass
class _Walker:
    supergraph: Supergraph
    diagnostics: Diagnostics
    visited: set[tuple[str, str]] = field(default_factory=set)
    reported: set[str] = field(default_factory=set)

    def run(self) -> None:
        for root in ROOT_TYPE_NAMES.values():
            merged = self.supergraph.types.get(root)
            if merged is None:
                continue
            for root_field in merged.fields.values():
                path = [root_field.name]
                self._check_shared_runtime_types(merged, root_field, path)
                for graph in _resolving_graphs(root_field):
                    self._visit(_named(root_field.type), graph, path)

    def _visit(self, type_name: str, graph: str, path: list[str]) -> None:
        merged = self.supergraph.types.get(type_name)
        if merged is None or (type_name, graph) in self.visited:
            return
        self.visited.add((type_name, graph))
        source = merged.sources.get(graph)
        if merged.kind == "union":
            for member, graphs in merged.members.items():
                if graph in graphs:
                    self._visit(member, graph, [*path, f"... on {member}"])
            return
        if merged.kind == "interface" and not (source and source.is_interface_object):
            for implementation in self.supergraph.types.values():
                if graph in implementation.implements.get(type_name, []):
                    self._visit(
                        implementation.name, graph, [*path, f"... on {implementation.name}"]
                    )
            return
        if merged.kind not in ("object", "interface"):
            return
        for merged_field in merged.fields.values():
            reachable = self._reachable_graphs(merged, graph)
            candidates = [g for g in self._resolvers(merged, merged_field) if g in reachable]
            resolvers = [
                g for g in candidates if self._requirements_met(merged, merged_field, g, reachable)
            ]
            field_path = [*path, merged_field.name]
            self._check_shared_runtime_types(merged, merged_field, field_path)
            if not resolvers:
                self._report(merged, merged_field, graph, field_path, set(candidates))
                continue
            for resolver in resolvers:
                self._visit(_named(merged_field.type), resolver, field_path)

    def _check_shared_runtime_types(
        self, merged: MergedType, merged_field: Field, path: list[str]
    ) -> None:
        coordinate = f"{merged.name}.{merged_field.name}"
        if coordinate in self.reported:
            return
        by_graph = disjoint_runtime_types(
            self.supergraph, merged_field, self._resolvers(merged, merged_field)
        )
        if by_graph is None:
            return
        self.reported.add(coordinate)
        lines = []
        for graph, types in by_graph.items():
            quoted = [f'"{name}"' for name in types]
            listed = (
                quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]
            )
            lines.append(f' - in subgraph "{graph}", type{"s" if len(types) > 1 else ""} {listed}')
        self.diagnostics.error(
            "SHAREABLE_HAS_MISMATCHED_RUNTIME_TYPES",
            "For the following supergraph API query:\n"
            + _query_text(path)
            + f'\nShared field "{coordinate}" return type "{merged_field.type}" has a '
            "non-intersecting set of possible runtime types across subgraphs. Runtime types in "
            "subgraphs are:\n"
            + ";\n".join(lines)
            + ".\nThis is not allowed as shared fields must resolve the same way in all "
            "subgraphs, and that implies at least some common runtime types between the "
            "subgraphs.",
            subgraph=next(iter(by_graph)),
            coordinate=coordinate,
        )

    def _requirements_met(
        self, merged: MergedType, merged_field: Field, resolver: str, reachable: set[str]
    ) -> bool:
        """The top-level fields a @requires needs can be fetched from somewhere reachable."""
        source = merged_field.sources.get(resolver)
        if source is None or not source.requires:
            return True
        try:
            selection_set = parse_field_set(source.requires)
        except GraphQLSyntaxError:
            return False
        available = reachable | self._reachable_graphs(merged, resolver)
        for selection in selection_set.selections:
            if not isinstance(selection, ast.FieldNode) or selection.name.value == "__typename":
                continue
            required = merged.fields.get(selection.name.value)
            if required is None or not available & set(_resolving_graphs(required)):
                return False
        return True

    def _resolvers(self, merged: MergedType, merged_field: Field) -> list[str]:
        if not merged_field.from_interface_object:
            return _resolving_graphs(merged_field)
        graphs: list[str] = []
        for interface_name in merged.implements:
            interface = self.supergraph.types.get(interface_name)
            if interface is None or merged_field.name not in interface.fields:
                continue
            graphs += [
                g
                for g in _resolving_graphs(interface.fields[merged_field.name])
                if interface.sources.get(g) and interface.sources[g].is_interface_object
            ]
        return graphs

    def _reachable_graphs(self, merged: MergedType, start: str) -> set[str]:
        """Subgraphs reachable from ``start`` for an object of ``merged`` by @key jumps."""
        reachable = {start}
        candidates = {
            graph: [key for key in source.keys if key.resolvable]
            for graph, source in self._jump_targets(merged).items()
        }
        changed = True
        while changed:
            changed = False
            for graph, keys in candidates.items():
                if graph in reachable:
                    continue
                if any(self._key_available(merged, key.fields, reachable) for key in keys):
                    reachable.add(graph)
                    changed = True
        return reachable

    def _jump_targets(self, merged: MergedType) -> dict[str, TypeSource]:
        targets: dict[str, TypeSource] = dict(merged.sources)
        for interface_name in merged.implements:
            interface = self.supergraph.types.get(interface_name)
            if interface is not None:
                for graph, source in interface.sources.items():
                    if source.is_interface_object:
                        targets.setdefault(graph, source)
        return targets

    def _key_available(self, merged: MergedType, fields: str, graphs: set[str]) -> bool:
        try:
            selection_set = parse_field_set(fields)
        except GraphQLSyntaxError:  # an invalid key was already reported by subgraph checks
            return False
        for selection in selection_set.selections:
            if not isinstance(selection, ast.FieldNode) or selection.name.value == "__typename":
                continue
            key_field = merged.fields.get(selection.name.value)
            if key_field is None or not graphs & set(_resolving_graphs(key_field)):
                return False
        return True

    def _report(
        self,
        merged: MergedType,
        merged_field: Field,
        graph: str,
        path: list[str],
        reachable_resolvers: set[str],
    ) -> None:
        coordinate = f"{merged.name}.{merged_field.name}"
        if coordinate in self.reported:
            return
        self.reported.add(coordinate)
        local_reason = self._local_reason(coordinate, merged_field, graph)
        reasons = [f'- from subgraph "{graph}":', f"  - {local_reason}"]
        for resolver in self._resolvers(merged, merged_field):
            if resolver == graph:
                continue
            reason = (
                f'cannot satisfy @requires conditions on field "{coordinate}" in subgraph '
                f'"{resolver}".'
                if resolver in reachable_resolvers
                else f'cannot move to subgraph "{resolver}", which has field "{coordinate}", '
                + self._jump_failure(merged, resolver)
            )
            reasons.append(f"  - {reason}")
        self.diagnostics.error(
            "SATISFIABILITY_ERROR",
            "The following supergraph API query:\n"
            + _query_text(path)
            + "\ncannot be satisfied by the subgraphs because:\n"
            + "\n".join(reasons)
            + f'\nAdd a resolvable @key for "{merged.name}" to a subgraph resolving the field '
            f'(with key fields that subgraph "{graph}" can provide), or resolve the field in '
            f'subgraph "{graph}".',
            subgraph=graph,
            coordinate=coordinate,
        )

    @staticmethod
    def _local_reason(coordinate: str, merged_field: Field, graph: str) -> str:
        source = merged_field.sources.get(graph)
        if source is not None and source.external:
            return f'field "{coordinate}" is not resolvable because marked @external.'
        return f'cannot find field "{coordinate}".'

    def _jump_failure(self, merged: MergedType, resolver: str) -> str:
        target = self._jump_targets(merged).get(resolver)
        if target is None or not target.keys:
            return f'because type "{merged.name}" has no @key defined in subgraph "{resolver}".'
        if not any(key.resolvable for key in target.keys):
            return (
                f'because none of the @key defined on type "{merged.name}" in subgraph '
                f'"{resolver}" are resolvable (they are all declared with their "resolvable" '
                "argument set to false)."
            )
        keys = ", ".join(f'@key(fields: "{key.fields}")' for key in target.keys if key.resolvable)
        return f"because the fields of its {keys} cannot be obtained first."


def _resolving_graphs(merged_field: Field) -> list[str]:
    return [
        graph
        for graph, source in merged_field.sources.items()
        if not source.external and not source.used_overridden
    ]


def _named(type_reference: str) -> str:
    return type_reference.strip("[]!")


def _query_text(path: list[str]) -> str:
    lines = []
    for depth, element in enumerate(path):
        lines.append("  " * (depth + 1) + element + (" {" if depth < len(path) - 1 else ""))
    for depth in range(len(path) - 2, -1, -1):
        lines.append("  " * (depth + 1) + "}")
    return "{\n" + "\n".join(lines) + "\n}"
