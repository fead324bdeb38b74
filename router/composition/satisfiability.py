"""Satisfiability: every query the supergraph API allows can be answered by the subgraphs.

Like @apollo/composition, walks the supergraph from each root field keeping every way the
subgraphs can stand on the current object (the options of ``satisfiability_paths``): a field
is satisfiable when at least one option, or a subgraph entity jumps reach from it, resolves it
(or a @provides on the path promised it) with its @requires fetchable. Key and @requires
selections are checked whole, nested fields included. Abstract types are expanded to the
runtime types each subgraph knows. Shared abstract fields must have at least one common
runtime type (SHAREABLE_HAS_MISMATCHED_RUNTIME_TYPES).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from router.composition.model import Field, MergedType, Supergraph
from router.composition.results import Diagnostics
from router.composition.runtime_types import disjoint_runtime_types
from router.composition.satisfiability_paths import Option, Paths, narrow
from router.composition.subgraph import ROOT_TYPE_NAMES

Options = frozenset[Option]


def check_satisfiability(supergraph: Supergraph, diagnostics: Diagnostics) -> None:
    _Walker(supergraph, diagnostics, Paths(supergraph)).run()


@dataclass
class _Walker:
    supergraph: Supergraph
    diagnostics: Diagnostics
    paths: Paths
    # type name -> option sets already walked (a superset of one of them adds nothing)
    visited: dict[str, list[Options]] = field(default_factory=dict)
    reported: set[str] = field(default_factory=set)

    def run(self) -> None:
        for root in ROOT_TYPE_NAMES.values():
            merged = self.supergraph.types.get(root)
            if merged is not None:
                # Every subgraph's root type is reachable from the query's start.
                options = tuple((graph, None) for graph in merged.sources)
                self._check_fields(merged, options, options, [])

    def _visit(self, type_name: str, options: Options, path: list[str]) -> None:
        merged = self.supergraph.types.get(type_name)
        if merged is None:
            return
        walked = self.visited.setdefault(type_name, [])
        if any(earlier <= options for earlier in walked):
            return
        walked.append(options)
        if merged.kind == "union":
            for member, graphs in merged.members.items():
                self._narrow_to(member, options, graphs, path)
            return
        if merged.kind == "interface":
            as_objects = frozenset(
                (graph, provided)
                for graph, provided in options
                if merged.sources.get(graph) and merged.sources[graph].is_interface_object
            )
            for implementation in self.supergraph.types.values():
                implementing = implementation.implements.get(type_name)
                if implementing:
                    self._narrow_to(implementation.name, options - as_objects, implementing, path)
            options = as_objects
            if not options:
                return
        elif merged.kind != "object":
            return
        ordered = tuple(sorted(options, key=lambda option: (option[0], option[1] or "")))
        reached = tuple(
            dict.fromkeys(r for option in ordered for r in self.paths.reachable(merged, option))
        )
        self._check_fields(merged, ordered, reached, path)

    def _narrow_to(
        self, type_name: str, options: Options, graphs: list[str], path: list[str]
    ) -> None:
        narrowed = frozenset(
            (graph, narrow(provided, type_name)) for graph, provided in options if graph in graphs
        )
        if narrowed:
            self._visit(type_name, narrowed, [*path, f"... on {type_name}"])

    def _check_fields(
        self,
        merged: MergedType,
        options: tuple[Option, ...],
        reached: tuple[Option, ...],
        path: list[str],
    ) -> None:
        for merged_field in merged.fields.values():
            field_path = [*path, merged_field.name]
            self._check_shared_runtime_types(merged, merged_field, field_path)
            advanced: dict[str, set[Option]] = {}
            for option in reached:
                if self.paths.resolvable_at(
                    merged, merged_field, option
                ) and self.paths.requirements_met(merged, merged_field, option):
                    child_type, child = self.paths.advance(merged, merged_field, option)
                    advanced.setdefault(child_type, set()).add(child)
            if not advanced:
                self._report(merged, merged_field, options, reached, field_path)
                continue
            for child_type, children in advanced.items():
                self._visit(child_type, frozenset(children), field_path)

    def _check_shared_runtime_types(
        self, merged: MergedType, merged_field: Field, path: list[str]
    ) -> None:
        coordinate = f"{merged.name}.{merged_field.name}"
        if coordinate in self.reported:
            return
        by_graph = disjoint_runtime_types(
            self.supergraph, merged_field, self.paths.resolvers(merged, merged_field)
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

    def _report(
        self,
        merged: MergedType,
        merged_field: Field,
        options: tuple[Option, ...],
        reached: tuple[Option, ...],
        path: list[str],
    ) -> None:
        """Apollo's explanation: per subgraph the query can stand in, why it cannot go on."""
        coordinate = f"{merged.name}.{merged_field.name}"
        if coordinate in self.reported:
            return
        self.reported.add(coordinate)
        reached_graphs = {graph for graph, _ in reached}
        blocks: dict[str, list[str]] = {}
        for option in options:
            reasons = blocks.setdefault(option[0], [])
            if not reasons:
                reasons.append(self._local_reason(merged, merged_field, option))
                for resolver in self.paths.resolvers(merged, merged_field):
                    if resolver not in reached_graphs:
                        reasons += self._jump_failures(merged, merged_field, resolver, option[0])
        for option in reached:
            if option[0] not in blocks and option[0] in merged_field.sources:
                blocks[option[0]] = [self._local_reason(merged, merged_field, option)]
        lines = []
        for graph, reasons in blocks.items():
            if len(reasons) == 1:
                lines.append(f'- from subgraph "{graph}": {reasons[0]}')
            else:
                lines.append(f'- from subgraph "{graph}":')
                lines += [f"  - {reason}" for reason in reasons]
        first = options[0][0]
        reasons = [reason for block in blocks.values() for reason in block]
        if any(reason.startswith("cannot satisfy @require") for reason in reasons):
            advice = (
                "Make the fields its @requires names fetchable from the subgraph declaring it, "
                f'or resolve "{coordinate}" without @requires.'
            )
        else:
            advice = (
                f'Add a resolvable @key for "{merged.name}" to a subgraph resolving the field '
                f'(with key fields that subgraph "{first}" can provide), or resolve the field '
                f'in subgraph "{first}".'
            )
        # Apollo's message, then (on the last line) what to do about it.
        self.diagnostics.error(
            "SATISFIABILITY_ERROR",
            "The following supergraph API query:\n"
            + _query_text(path)
            + "\ncannot be satisfied by the subgraphs because:\n"
            + "\n".join(lines)
            + "\n"
            + advice,
            subgraph=first,
            coordinate=coordinate,
        )

    def _local_reason(self, merged: MergedType, merged_field: Field, option: Option) -> str:
        coordinate = f"{merged.name}.{merged_field.name}"
        source = merged_field.sources.get(option[0])
        if source is None:
            return f'cannot find field "{coordinate}".'
        if not self.paths.resolvable_at(merged, merged_field, option):
            return f'field "{coordinate}" is not resolvable because marked @external.'
        return f'cannot satisfy @require conditions on field "{coordinate}".'

    def _jump_failures(
        self, merged: MergedType, merged_field: Field, resolver: str, start: str
    ) -> list[str]:
        coordinate = f"{merged.name}.{merged_field.name}"
        target = self.paths.jump_targets(merged).get(resolver)
        move = f'cannot move to subgraph "{resolver}", which has field "{coordinate}", because'
        if target is None or not target.keys:
            return [f'{move} type "{merged.name}" has no @key defined in subgraph "{resolver}".']
        if not any(key.resolvable for key in target.keys):
            return [
                f'{move} none of the @key defined on type "{merged.name}" in subgraph '
                f'"{resolver}" are resolvable (they are all declared with their "resolvable" '
                "argument set to false)."
            ]
        return [
            f'cannot move to subgraph "{resolver}" using @key(fields: "{key.fields}") of '
            f'"{merged.name}", the key field(s) cannot be resolved from subgraph "{start}".'
            for key in target.keys
            if key.resolvable
        ]


def _query_text(path: list[str]) -> str:
    lines = []
    for depth, element in enumerate(path):
        lines.append("  " * (depth + 1) + element + (" {" if depth < len(path) - 1 else ""))
    for depth in range(len(path) - 2, -1, -1):
        lines.append("  " * (depth + 1) + "}")
    return "{\n" + "\n".join(lines) + "\n}"
