"""Satisfiability: every query the supergraph API allows can be answered by the subgraphs.

Like @apollo/composition, walks the supergraph from each root field keeping every way the
subgraphs can stand on the current object (the options of ``satisfiability_paths``): a field
is satisfiable when at least one option, or a subgraph entity jumps reach from it, resolves it
(or a @provides on the path promised it) with its @requires fetchable. Key and @requires
selections are checked whole, nested fields included; after a @requires reached through a
field the subgraph needs a key of its own to resume. Abstract types are expanded to the
runtime types each subgraph knows. Below a top-level mutation field several subgraphs serve,
each is checked alone. States are walked in Apollo's order and errors explained in its words
(plus a last line of advice), so they name the same query paths. Shared abstract fields must
have at least one common runtime type (SHAREABLE_HAS_MISMATCHED_RUNTIME_TYPES).
Not modelled: @fromContext conditions, progressive @override labels, and Apollo's detour rule
for a jump made after entering a subgraph through an entity key (explanations only).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

from graphql import GraphQLSyntaxError
from graphql.language import ast

from router.composition.fieldset import parse_field_set
from router.composition.model import Field, MergedType, Supergraph
from router.composition.results import CompositionError, Diagnostics
from router.composition.runtime_types import disjoint_runtime_types
from router.composition.satisfiability_paths import Option, Paths, narrow
from router.composition.subgraph import ROOT_TYPE_NAMES

# The options in the order Apollo finds them (that order shows in error messages).
Options = tuple[Option, ...]


class _State(NamedTuple):
    """Where the walk stands: a type, every option on it, the query path that led there,
    the options whose whole path stayed in their subgraph since the root, and that root."""

    type_name: str
    options: Options
    path: list[str]
    rooted: frozenset[Option]
    root: str
    # Below a top-level mutation field several subgraphs serve, each one is walked on its own:
    # (the field's coordinate, the subgraph) — see _report_mutations.
    partition: tuple[str, str] | None = None


def check_satisfiability(supergraph: Supergraph, diagnostics: Diagnostics) -> None:
    _Walker(supergraph, diagnostics, Paths(supergraph)).run()


@dataclass
class _Walker:
    supergraph: Supergraph
    diagnostics: Diagnostics
    paths: Paths
    # type name -> option sets already walked (a superset of one of them adds nothing)
    visited: dict[str, list[frozenset[Option]]] = field(default_factory=dict)
    # coordinates already reported as SHAREABLE_HAS_MISMATCHED_RUNTIME_TYPES
    reported: set[str] = field(default_factory=set)
    # states still to walk; last in, first walked (Apollo's order, so that errors name the
    # same query paths)
    stack: list[_State] = field(default_factory=list)
    # mutation field -> subgraph serving it -> the errors found below it from that subgraph
    mutation_errors: dict[str, dict[str, list[CompositionError]]] = field(default_factory=dict)

    def run(self) -> None:
        for root in ROOT_TYPE_NAMES.values():
            merged = self.supergraph.types.get(root)
            if merged is not None:
                # Every subgraph's root type is reachable from the query's start.
                options = tuple((g, None) for g in merged.sources)
                # Apollo follows query and subscription paths back to other subgraphs' roots.
                rooted = frozenset(options) if root != "Mutation" else frozenset()
                self.stack.append(_State(root, options, [], rooted, root))
        while self.stack:
            self._visit(self.stack.pop())
        self._report_mutations()

    def _visit(self, state: _State) -> None:
        type_name, options = state.type_name, state.options
        merged = self.supergraph.types.get(type_name)
        if merged is None:
            return
        walked = self.visited.setdefault(f"{state.partition}/{type_name}", [])
        if any(earlier <= frozenset(options) for earlier in walked):
            return
        walked.append(frozenset(options))
        if merged.kind == "union":
            for member, graphs in merged.members.items():
                self._narrow_to(state, member, options, graphs)
            return
        if merged.kind == "interface":
            as_objects = tuple(
                (graph, provided)
                for graph, provided in options
                if merged.sources.get(graph) and merged.sources[graph].is_interface_object
            )
            others = tuple(option for option in options if option not in as_objects)
            for implementation in self.supergraph.types.values():
                implementing = implementation.implements.get(type_name)
                if implementing:
                    self._narrow_to(state, implementation.name, others, implementing)
            options = as_objects
            if not options:
                return
        elif merged.kind != "object":
            return
        reached = tuple(
            dict.fromkeys(r for option in options for r in self.paths.reachable(merged, option))
        )
        self._check_fields(state._replace(options=options), merged, reached)

    def _narrow_to(
        self, state: _State, type_name: str, options: Options, graphs: list[str]
    ) -> None:
        narrowed: dict[Option, None] = {}
        rooted: set[Option] = set()
        for graph, provided in options:
            if graph in graphs:
                option = (graph, narrow(provided, type_name))
                narrowed[option] = None
                if (graph, provided) in state.rooted:
                    rooted.add(option)
        if narrowed:
            path = [*state.path, f"... on {type_name}"]
            self.stack.append(
                _State(
                    type_name,
                    tuple(narrowed),
                    path,
                    frozenset(rooted),
                    state.root,
                    state.partition,
                )
            )

    def _check_fields(self, state: _State, merged: MergedType, reached: Options) -> None:
        options, path = state.options, state.path
        for merged_field in merged.fields.values():
            field_path = [*path, merged_field.name]
            self._check_shared_runtime_types(merged, merged_field, field_path, state.root)
            advanced: dict[str, dict[Option, None]] = {}
            rooted: set[Option] = set()
            for option in reached:
                after_field = bool(path) and option in options
                if self.paths.resolvable_at(
                    merged, merged_field, option
                ) and self.paths.requirements_met(
                    merged, merged_field, option, after_field=after_field
                ):
                    child_type, child = self.paths.advance(merged, merged_field, option)
                    advanced.setdefault(child_type, {})[child] = None
                    if option in state.rooted:
                        rooted.add(child)
            if not advanced:
                self._report(state, merged, merged_field, reached)
                continue
            coordinate = f"{merged.name}.{merged_field.name}"
            served_by = list(
                dict.fromkeys(graph for children in advanced.values() for graph, _ in children)
            )
            partitioned = merged.name == "Mutation" and not path and len(served_by) > 1
            if partitioned:
                self.mutation_errors[coordinate] = {graph: [] for graph in served_by}
            for child_type, children in advanced.items():
                if not self._is_composite(child_type):
                    continue
                groups = (
                    {graph: [c for c in children if c[0] == graph] for graph in served_by}
                    if partitioned
                    else {None: list(children)}
                )
                for graph, group in groups.items():
                    if group:
                        self.stack.append(
                            _State(
                                child_type,
                                tuple(group),
                                field_path,
                                frozenset(rooted & set(group)),
                                state.root,
                                (coordinate, graph) if graph is not None else state.partition,
                            )
                        )

    def _is_composite(self, type_name: str) -> bool:
        merged = self.supergraph.types.get(type_name)
        return merged is not None and merged.kind in ("object", "interface", "union")

    def _check_shared_runtime_types(
        self, merged: MergedType, merged_field: Field, path: list[str], root: str
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
            + _query_text(path, root)
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
        self, state: _State, merged: MergedType, merged_field: Field, reached: Options
    ) -> None:
        """Apollo's explanation: per subgraph the query stands in or jumps to, why it cannot
        take the field there, then the keys it could not use and the subgraphs it cannot
        reach (details deduplicated, grouped by the subgraph they start from)."""
        coordinate = f"{merged.name}.{merged_field.name}"
        options, path = state.options, [*state.path, merged_field.name]
        blocks: dict[str, list[str]] = {}

        def add(graph: str, reason: str) -> None:
            reasons = blocks.setdefault(graph, [])
            if reason not in reasons:
                reasons.append(reason)

        for option in options:
            route = (state.root, *state.path) if option in state.rooted else None
            jumped, failures = self.paths.explore(merged, option, route)
            dead_ends = set()
            for current in jumped:
                add(current[0], self._local_reason(merged, merged_field, current))
                dead_ends.add(current[0])
            for jump in failures:
                key = f'@key(fields: "{jump.fields}") of "{merged.name}"'
                if jump.from_interface_object:
                    reason = (
                        f'ignoring moving from "{jump.source}" to "{jump.target}" as a more '
                        "direct option exists"
                    )
                elif jump.ignored:
                    reason = (
                        f'ignoring moving to subgraph "{jump.target}" using {key} because there '
                        f"is a more direct path in {jump.target} that avoids {jump.source} "
                        "altogether"
                    )
                else:
                    reason = (
                        f'cannot move to subgraph "{jump.target}" using {key}, the key field(s) '
                        f'cannot be resolved from subgraph "{jump.source}"'
                    )
                add(jump.source, reason)
                dead_ends.add(jump.target)
            for graph in self._graphs_with_field(merged, merged_field):
                if graph not in dead_ends:
                    add(option[0], self._unreachable(merged, merged_field, graph))
        lines = []
        for graph, reasons in blocks.items():
            if len(reasons) == 1:
                lines.append(f'- from subgraph "{graph}": {reasons[0]}.')
            else:
                lines.append(f'- from subgraph "{graph}":')
                lines += [f"  - {reason}." for reason in reasons]
        first = options[0][0]
        every_reason = [reason for block in blocks.values() for reason in block]
        if any("@require condition" in reason for reason in every_reason):
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
        error = CompositionError(
            "SATISFIABILITY_ERROR",
            "The following supergraph API query:\n"
            + _query_text(path, state.root, self._is_composite(_named(merged_field.type)))
            + "\ncannot be satisfied by the subgraphs because:\n"
            + "\n".join(lines)
            + "\n"
            + advice,
            first,
            coordinate,
        )
        if state.partition is None:
            self.diagnostics.errors.append(error)
        else:
            mutation, graph = state.partition
            self.mutation_errors[mutation][graph].append(error)

    def _report_mutations(self) -> None:
        """A top-level mutation field several subgraphs serve must work from one of them alone
        (a mutation runs once): an error only when each of them has some, as Apollo words it."""
        for coordinate, by_graph in self.mutation_errors.items():
            if any(not errors for errors in by_graph.values()):
                continue
            parts = [
                f'Supergraph API queries using the mutation field "{coordinate}" at top-level '
                "must be satisfiable without needing to call that field from multiple "
                "subgraphs, but every subgraph with that field encounters satisfiability "
                "errors. Please fix these satisfiability errors for (at least) one of the "
                "following subgraphs with the mutation field:"
            ]
            for graph, errors in by_graph.items():
                parts.append(f'- When calling "{coordinate}" at top-level from subgraph "{graph}":')
                for error in errors:
                    apollo_part = error.message.rsplit("\n", 1)[0]
                    parts += ["  " + line if line else line for line in apollo_part.split("\n")]
            self.diagnostics.error(
                "SATISFIABILITY_ERROR",
                "\n".join(parts)
                + "\nMake the mutation field answer everything below it from one subgraph.",
                subgraph=next(iter(by_graph)),
                coordinate=coordinate,
            )

    def _graphs_with_field(self, merged: MergedType, merged_field: Field) -> list[str]:
        """Subgraphs whose own type defines the field (even @external), in composition order."""
        return [graph for graph, _ in self.supergraph.graphs if graph in merged_field.sources]

    def _local_reason(self, merged: MergedType, merged_field: Field, option: Option) -> str:
        coordinate = f"{merged.name}.{merged_field.name}"
        interface = self.paths.interface_object_for(merged, option[0])
        if interface is not None:
            return (
                f'cannot find implementation type "{merged.name}" (supergraph interface '
                f'"{interface}" is declared with @interfaceObject in "{option[0]}")'
            )
        source = merged_field.sources.get(option[0])
        if source is None and option[0] not in self.paths.resolvers(merged, merged_field):
            return f'cannot find field "{coordinate}"'
        if not self.paths.resolvable_at(merged, merged_field, option):
            return f'field "{coordinate}" is not resolvable because marked @external'
        if self.paths.requirements_met(merged, merged_field, option, after_field=False):
            return (
                f'@require condition on field "{coordinate}" can be satisfied but missing usable '
                f'key on "{merged.name}" in subgraph "{option[0]}" to resume query'
            )
        return (
            f'cannot satisfy @require conditions on field "{coordinate}"'
            + self._external_key_fields_warning(merged, option[0])
        )

    def _external_key_fields_warning(self, merged: MergedType, graph: str) -> str:
        source = self.paths.jump_targets(merged).get(graph)
        external: list[str] = []
        for key in source.keys if source is not None else ():
            for name in _top_level_fields(key.fields):
                field_source = (
                    merged.fields[name].sources.get(graph) if name in merged.fields else None
                )
                if field_source is not None and field_source.external and name not in external:
                    external.append(name)
        if not external:
            return ""
        printed = ", ".join(f'"{name}"' for name in external)
        noun = "field" if len(external) == 1 else "fields"
        return (
            f" (please ensure that this is not due to key {noun} {printed} being accidentally "
            "marked @external)"
        )

    def _unreachable(self, merged: MergedType, merged_field: Field, graph: str) -> str:
        coordinate = f"{merged.name}.{merged_field.name}"
        target = self.paths.jump_targets(merged).get(graph)
        move = f'cannot move to subgraph "{graph}", which has field "{coordinate}", because'
        if target is None or not target.keys:
            return f'{move} type "{merged.name}" has no @key defined in subgraph "{graph}"'
        return (
            f'{move} none of the @key defined on type "{merged.name}" in subgraph "{graph}" are '
            'resolvable (they are all declared with their "resolvable" argument set to false)'
        )


def _query_text(path: list[str], root: str = "Query", composite_leaf: bool = False) -> str:
    """The query as Apollo prints it (``mutation`` or ``subscription`` first when not a query,
    ``{ ... }`` below a last field of object type)."""
    if composite_leaf:
        path = [*path, "..."]
    lines = []
    for depth, element in enumerate(path):
        lines.append("  " * (depth + 1) + element + (" {" if depth < len(path) - 1 else ""))
    for depth in range(len(path) - 2, -1, -1):
        lines.append("  " * (depth + 1) + "}")
    operation = "" if root == "Query" else f"{root.lower()} "
    return operation + "{\n" + "\n".join(lines) + "\n}"


def _named(type_reference: str) -> str:
    return type_reference.strip("[]!")


def _top_level_fields(fields: str) -> list[str]:
    try:
        selection_set = parse_field_set(fields)
    except GraphQLSyntaxError:
        return []
    return [s.name.value for s in selection_set.selections if isinstance(s, ast.FieldNode)]
