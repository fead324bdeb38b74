"""Build fetch groups for a normalised operation: the heart of the query planner.

Each selection is planned inside the group (subgraph request) that fetched its parent object.
Fields that subgraph resolves stay there; the others go to an entity group of a subgraph that
resolves them, reached through a key the current subgraph can supply. Keys and ``@requires``
fields are planned like client fields, so they may need earlier fetches themselves; the groups
they land in become dependencies of the entity group.
"""

from __future__ import annotations

from dataclasses import dataclass

from graphql.language import ast

from router.errors import QueryPlanningError
from router.operation.normalise import INTROSPECTION_ROOT_FIELDS, Field, Fragment, Selection
from router.planner.context import (
    PlanningContext,
    Provided,
    merge_provided,
    provided_for,
    provided_tree,
)
from router.planner.groups import FetchGroup, depends_on
from router.planner.nodes import ContextRewrite, ResponsePathPattern
from router.planner.selection import SubSelection
from router.supergraph import ContextArgument, EntityKey

Path = ResponsePathPattern


@dataclass(frozen=True, slots=True)
class _Position:
    """Where selections of the objects at ``path`` are being planned."""

    group: FetchGroup
    selection: SubSelection
    parent: str
    path: Path
    provided: Provided | None


class FetchGroupBuilder:
    def __init__(self, context: PlanningContext) -> None:
        self.context = context
        self.supergraph = context.supergraph
        self.groups: dict[int, FetchGroup] = {}
        self._entity_groups: dict[tuple[str, Path, frozenset[str] | None], list[FetchGroup]] = {}
        self._root_groups: dict[str, FetchGroup] = {}
        self._indirect_hops: set[tuple[str, str, str, Path]] = set()
        # The positions being planned, outermost first: where @context values come from.
        self._positions: list[_Position] = []
        # Variables of @fromContext arguments used so far, with their GraphQL types.
        self.context_variable_types: dict[str, str] = {}

    # -- root -----------------------------------------------------------------------------

    def add_root_fields(self, root_type: str, selections: tuple[Selection, ...]) -> None:
        for item in selections:
            if not isinstance(item, Field):
                raise QueryPlanningError("unexpected fragment at the root")  # normalised away
            if item.is_typename or item.name in INTROSPECTION_ROOT_FIELDS:
                continue
            subgraph = self._root_subgraph(root_type, item)
            group = self._root_groups.get(subgraph)
            if group is None:
                group = self._new_group(subgraph, (), entity=False)
                self._root_groups[subgraph] = group
            self._plan_items(group, group.selection, root_type, (item,), (), None)

    def _root_subgraph(self, root_type: str, field: Field) -> str:
        candidates = self.supergraph.graphs_resolving(root_type, field.name)
        if not candidates:
            raise QueryPlanningError(f'no subgraph resolves "{root_type}.{field.name}"')
        for candidate in candidates:
            if candidate in self._root_groups:
                return candidate
        return max(candidates, key=lambda graph: self._local_score(root_type, field, graph))

    def _local_score(self, root_type: str, field: Field, graph: str) -> int:
        """How many direct subfields ``graph`` resolves itself (a cheap proxy for cost),
        those of fragments that apply to the type ``graph`` declares for the field included."""
        if not field.selections or field.type_name is None:
            return 0
        parent = self.context.subgraph_type_name(root_type, field.name, graph)
        return self._score_items(parent, field.selections, graph)

    def _score_items(self, parent: str, items: tuple[Selection, ...], graph: str) -> int:
        score = 0
        possible = self.context.possible_types(parent)
        for child in items:
            if isinstance(child, Fragment):
                condition = child.type_condition
                if not possible & self.context.possible_types(condition):
                    continue  # objects this field never returns in ``graph``
                narrowed = parent if self.context.covers(condition, parent) else condition
                score += self._score_items(narrowed, child.selections, graph)
            elif self.supergraph.field_resolvable_in(parent, child.name, graph):
                score += 1
        return score

    # -- selections -----------------------------------------------------------------------

    def _plan_items(
        self,
        group: FetchGroup,
        selection: SubSelection,
        parent: str,
        items: tuple[Selection, ...],
        path: Path,
        provided: Provided | None,
    ) -> set[int]:
        """Plan ``items`` at one position of ``group``; returns the groups they landed in."""
        used = {group.id}
        self._positions.append(_Position(group, selection, parent, path, provided))
        try:
            for item in items:
                if isinstance(item, Fragment):
                    used |= self._plan_fragment(group, selection, parent, item, path, provided)
                else:
                    used |= self._plan_field(group, selection, parent, item, path, provided)
        finally:
            self._positions.pop()
        return used

    def _plan_fragment(
        self,
        group: FetchGroup,
        selection: SubSelection,
        parent: str,
        fragment: Fragment,
        path: Path,
        provided: Provided | None,
    ) -> set[int]:
        condition = fragment.type_condition
        context = self.context
        if condition == parent or (
            context.kind(parent) == "object" and context.covers(condition, parent)
        ):
            return self._plan_items(group, selection, parent, fragment.selections, path, provided)
        if context.kind(parent) == "object":
            return set()
        if self.supergraph.is_interface_object_in(parent, group.subgraph):
            # The subgraph only knows the interface: narrow where the implementations are.
            entity, fields, hop_parent, key_groups = self._hop(
                group, selection, parent, "__typename", path, provided
            )
            return key_groups | self._plan_items(
                entity, fields, hop_parent, (fragment,), path, None
            )
        matching = context.possible_types(condition)
        runtime = [
            name
            for name in self.supergraph.possible_types_in(parent, group.subgraph)
            if name in matching
        ]
        if not runtime:
            return set()
        condition_model = self.supergraph.types.get(condition)
        if condition_model is not None and group.subgraph in condition_model.graphs:
            narrowed = selection.fragment(condition)
            return self._plan_items(group, narrowed, condition, fragment.selections, path, provided)
        used: set[int] = set()
        for name in runtime:
            narrowed = selection.fragment(name)
            used |= self._plan_items(group, narrowed, name, fragment.selections, path, provided)
        return used

    def _resolvable(self, parent: str, name: str, graph: str, provided: Provided | None) -> bool:
        if self.supergraph.field_resolvable_in(parent, name, graph):
            return True
        return (
            provided is not None
            and name in provided_for(self.context, provided, parent)
            and self.supergraph.field_known_in(parent, name, graph)
        )

    def _plan_field(
        self,
        group: FetchGroup,
        selection: SubSelection,
        parent: str,
        field: Field,
        path: Path,
        provided: Provided | None,
    ) -> set[int]:
        interface_object = self.supergraph.is_interface_object_in(parent, group.subgraph)
        if field.is_typename:
            if interface_object:
                return self._plan_entity_hop(group, selection, parent, field, path, provided)
            selection.add_typename()
            return {group.id}
        abstract = self.context.kind(parent) != "object" and not interface_object
        if self._resolvable(parent, field.name, group.subgraph, provided) and (
            not abstract or self._every_implementation_resolves(parent, field.name, group, provided)
        ):
            if not self._needs_entity_hop(parent, field.name, group.subgraph):
                return self._plan_local(group, selection, parent, field, path, provided)
            # Even where the parent already comes from this subgraph, a @requires field is
            # resolved through _entities, with the required fields in the representation (a
            # @fromContext field too, with its context values as variables).
            return self._plan_entity_hop(group, selection, parent, field, path, provided)
        if abstract:
            used: set[int] = set()
            for name in self.supergraph.possible_types_in(parent, group.subgraph):
                narrowed = selection.fragment(name)
                used |= self._plan_field(group, narrowed, name, field, path, provided)
            return used
        return self._plan_entity_hop(group, selection, parent, field, path, provided)

    def _every_implementation_resolves(
        self, parent: str, field_name: str, group: FetchGroup, provided: Provided | None
    ) -> bool:
        """An interface field is read at the interface only when the subgraph resolves it for
        every implementation it knows (an @external one, say provided for one type only,
        means asking type by type)."""
        return all(
            self._resolvable(name, field_name, group.subgraph, provided)
            and not self._needs_entity_hop(name, field_name, group.subgraph)
            for name in self.supergraph.possible_types_in(parent, group.subgraph)
            if field_name in self.supergraph.types[name].fields
        )

    def _needs_entity_hop(self, parent: str, field_name: str, graph: str) -> bool:
        return self._has_requires(parent, field_name, graph) or bool(
            self._context_arguments(parent, field_name, graph)
        )

    def _context_arguments(
        self, parent: str, field_name: str, graph: str
    ) -> tuple[ContextArgument, ...]:
        model = self.supergraph.types.get(parent)
        field_model = model.fields.get(field_name) if model is not None else None
        in_graph = field_model.in_graphs.get(graph) if field_model is not None else None
        return in_graph.context_arguments if in_graph is not None else ()

    def _has_requires(self, parent: str, field_name: str, graph: str) -> bool:
        model = self.supergraph.types.get(parent)
        field_model = model.fields.get(field_name) if model is not None else None
        in_graph = field_model.in_graphs.get(graph) if field_model is not None else None
        return (
            in_graph is not None
            and in_graph.requires is not None
            and model is not None
            and (model.kind == "object" or self.supergraph.is_interface_object_in(parent, graph))
        )

    def _plan_local(
        self,
        group: FetchGroup,
        selection: SubSelection,
        parent: str,
        field: Field,
        path: Path,
        provided: Provided | None,
    ) -> set[int]:
        in_graph = self.supergraph.types[parent].fields[field.name].in_graphs.get(group.subgraph)
        arguments = field.arguments
        if in_graph is not None and in_graph.context_arguments:
            bound = {rewrite.variable for rewrite in group.contexts}
            missing = [a.name for a in in_graph.context_arguments if a.variable not in bound]
            if missing:
                raise QueryPlanningError(
                    f'"{parent}.{field.name}" takes arguments from @context '
                    f"({', '.join(missing)}) that cannot be bound here"
                )
            arguments = arguments + tuple(
                ast.ArgumentNode(
                    name=ast.NameNode(value=argument.name),
                    value=ast.VariableNode(name=ast.NameNode(value=argument.variable)),
                )
                for argument in in_graph.context_arguments
            )
        key = self.context.storage_key(field)
        child = selection.add_field(key, field.name, arguments, field.selections is not None)
        if child is None or field.selections is None or field.type_name is None:
            return {group.id}
        if self.context.kind(field.type_name) != "object":
            child.add_typename()
        child_provided = (
            provided_for(self.context, provided, parent).get(field.name)
            if provided is not None
            else None
        )
        if in_graph is not None and in_graph.provides is not None:
            child_provided = dict(child_provided or {})
            merge_provided(child_provided, provided_tree(in_graph.provides))
        child_path = path + (key,) + ("@",) * self.context.list_depth(parent, field.name)
        # Below the field, plan for the type this subgraph declares (``@join__field(type:)``):
        # an object type where the supergraph has its interface only answers for itself.
        child_type = self.context.subgraph_type_name(parent, field.name, group.subgraph)
        return self._plan_items(
            group, child, child_type, field.selections, child_path, child_provided
        )

    # -- entity hops ----------------------------------------------------------------------

    def _plan_entity_hop(
        self,
        group: FetchGroup,
        selection: SubSelection,
        parent: str,
        field: Field,
        path: Path,
        provided: Provided | None,
    ) -> set[int]:
        entity, fields, hop_parent, used = self._hop(
            group, selection, parent, field.name, path, provided
        )
        if field.is_typename:
            return used | self._plan_items(entity, fields, hop_parent, (field,), path, None)
        # The target resolves the field itself: its requirements travel in the representation.
        return used | self._plan_local(entity, fields, hop_parent, field, path, None)

    def _hop(
        self,
        group: FetchGroup,
        selection: SubSelection,
        parent: str,
        field_name: str,
        path: Path,
        provided: Provided | None,
    ) -> tuple[FetchGroup, SubSelection, str, set[int]]:
        """Prepare an entity fetch that can resolve ``field_name`` for the objects at ``path``.

        Returns the entity group, the selection to plan into (``... on <hop parent>``), the
        hop parent (``parent`` itself, or the interface when the target resolves the field
        through an @interfaceObject) and the groups the key and @requires fields landed in.
        """
        target, key, hop_parent = self._choose_target(
            group.subgraph, parent, field_name, path, provided
        )
        context = self.context
        selection.add_typename()
        hop = (group.subgraph, parent, field_name, path)
        self._indirect_hops.add(hop)  # planning the key may hop again, never into this hop
        try:
            used = self._plan_items(
                group,
                selection,
                parent,
                context.field_set_items(parent, key.selection),
                path,
                provided,
            )
        finally:
            self._indirect_hops.discard(hop)
        field_model = self.supergraph.types[hop_parent].fields.get(field_name)
        in_target = field_model.in_graphs.get(target) if field_model is not None else None
        requires = in_target.requires if in_target is not None else None
        if requires is not None:
            used |= self._plan_items(
                group,
                selection,
                parent,
                context.field_set_items(hop_parent, requires),
                path,
                provided,
            )
        rewrites: list[ContextRewrite] = []
        for argument in in_target.context_arguments if in_target is not None else ():
            context_used, rewrite = self._plan_context(argument, parent, field_name, path)
            used |= context_used
            rewrites.append(rewrite)
        # Through an @interfaceObject, "... on Interface" must only serve this concrete type.
        only = frozenset({parent}) if hop_parent != parent else None
        entity = self._entity_group(target, path, used, only)
        entity.dependencies |= used
        for rewrite in rewrites:
            _add_rewrite(entity.contexts, rewrite)
        assert entity.requires is not None
        representation = entity.requires.fragment(hop_parent)
        representation.add_typename()
        self._add_field_set(representation, hop_parent, key.selection.selections)
        if requires is not None:
            self._add_field_set(representation, hop_parent, requires.selections)
        fields = entity.selection.fragment(hop_parent)
        if context.kind(hop_parent) != "object" and not self.supergraph.is_interface_object_in(
            hop_parent, target
        ):
            fields.add_typename()  # the concrete type, which an interface object cannot tell
        return entity, fields, hop_parent, used

    def _plan_context(
        self, argument: ContextArgument, parent: str, field_name: str, path: Path
    ) -> tuple[set[int], ContextRewrite]:
        """Plan the value of a @fromContext argument on the nearest ancestor that sets the
        context (a type marked @context, an implementation of such an interface or a member of
        such a union); the entity fetch will read it from there into ``argument.variable``.

        The value is read per concrete type of the ancestor (its ``__typename`` is selected,
        as Apollo's planner does): a selection with type conditions keeps the fragments the
        ancestor's type may match, a plain field is read the same way for every type.
        """
        context = self.context
        for position in reversed(self._positions):
            if (
                context.sets_context(position.parent, argument.context)
                and path[: len(position.path)] == position.path
            ):
                break
        else:
            raise QueryPlanningError(
                f'"{parent}.{field_name}": no ancestor in the operation sets the context of '
                f'its argument "{argument.name}"'
            )
        runtime = context.possible_types(position.parent)
        nodes = _context_selection_nodes(argument.selection, runtime)
        if not nodes:
            raise QueryPlanningError(
                f'"{parent}.{field_name}": the @fromContext selection of "{argument.name}" '
                f'selects nothing for "{position.parent}"'
            )
        items = context.field_set_items(
            position.parent, ast.SelectionSetNode(selections=tuple(nodes))
        )
        used = self._plan_items(
            position.group,
            position.selection,
            position.parent,
            items,
            position.path,
            position.provided,
        )
        if position.path:
            position.selection.add_typename()
        value = SubSelection()
        for type_name in sorted(runtime):
            matching = _context_selection_nodes(argument.selection, frozenset({type_name}))
            if matching:
                target = value.fragment(type_name) if position.path else value
                self._add_field_set(target, type_name, _unwrap_fragments(matching))
        self.context_variable_types[argument.variable] = argument.type
        return used, ContextRewrite(argument.variable, len(position.path), value)

    def _choose_target(
        self, source: str, parent: str, field_name: str, path: Path, provided: Provided | None
    ) -> tuple[str, EntityKey, str]:
        options = self._hop_options(source, parent, field_name)
        # Prefer the subgraph itself (a @requires field it resolves), then batching.
        options.sort(
            key=lambda option: (
                option[0] != source,
                (option[0], path, None) not in self._entity_groups,
            )
        )
        for graph, hop_parent in options:
            for key in self.supergraph.types[hop_parent].keys_in(graph):
                if key.resolvable and self._available(source, parent, key.selection, provided):
                    return graph, key, hop_parent
        # No key the source can supply directly: fetch the key fields from elsewhere first.
        hop = (source, parent, field_name, path)
        if hop not in self._indirect_hops:
            for graph, hop_parent in options:
                for key in self.supergraph.types[hop_parent].keys_in(graph):
                    if key.resolvable and self._reachable(parent, key.selection):
                        return graph, key, hop_parent
        raise QueryPlanningError(
            f'cannot plan "{parent}.{field_name}": no subgraph that resolves it can be reached '
            f'from subgraph "{source}"'
        )

    def _hop_options(self, source: str, parent: str, field_name: str) -> list[tuple[str, str]]:
        """(target subgraph, type to select ``... on``) pairs that resolve the field."""
        supergraph = self.supergraph
        if field_name == "__typename":
            # Only a subgraph that knows the implementations can tell an object's real type.
            return [
                (graph, parent)
                for graph in supergraph.subgraphs
                if graph != source
                and graph in supergraph.types[parent].graphs
                and not supergraph.is_interface_object_in(parent, graph)
            ]
        options = [
            (graph, parent)
            for graph in supergraph.graphs_resolving(parent, field_name)
            if graph != source or self._needs_entity_hop(parent, field_name, graph)
        ]
        if options or self.context.kind(parent) != "object":
            return options
        for interface in supergraph.interfaces_of(parent):
            model = supergraph.types.get(interface)
            if model is None or field_name not in model.fields:
                continue
            options.extend(
                (graph, interface)
                for graph in sorted(model.interface_object_graphs)
                if graph != source and supergraph.field_resolvable_in(interface, field_name, graph)
            )
        return options

    def _reachable(self, parent: str, selection_set: ast.SelectionSetNode) -> bool:
        """Every field of a key is resolved by some subgraph."""
        for node in selection_set.selections:
            if isinstance(node, ast.FieldNode) and not self.supergraph.graphs_resolving(
                parent, node.name.value
            ):
                return False
        return True

    def _available(
        self,
        graph: str,
        parent: str,
        selection_set: ast.SelectionSetNode,
        provided: Provided | None,
    ) -> bool:
        for node in selection_set.selections:
            if isinstance(node, ast.InlineFragmentNode):
                condition = node.type_condition.name.value if node.type_condition else parent
                if not self._available(graph, condition, node.selection_set, provided):
                    return False
                continue
            assert isinstance(node, ast.FieldNode)
            name = node.name.value
            if not self._resolvable(parent, name, graph, provided):
                return False
            if node.selection_set is not None:
                child_type = self.context.field_type_name(parent, name)
                child_provided = (
                    provided_for(self.context, provided, parent).get(name)
                    if provided is not None
                    else None
                )
                if not self._available(graph, child_type, node.selection_set, child_provided):
                    return False
        return True

    def _add_field_set(
        self, target: SubSelection, parent: str, nodes: tuple[ast.SelectionNode, ...]
    ) -> None:
        for node in nodes:
            if isinstance(node, ast.InlineFragmentNode):
                condition = node.type_condition.name.value if node.type_condition else parent
                self._add_field_set(
                    target.fragment(condition), condition, node.selection_set.selections
                )
                continue
            assert isinstance(node, ast.FieldNode)
            name = node.name.value
            child = target.add_field(
                name, name, tuple(node.arguments or ()), node.selection_set is not None
            )
            if child is not None:
                child_type = self.context.field_type_name(parent, name)
                if self.context.kind(child_type) != "object":
                    child.add_typename()
                if node.selection_set is not None:
                    self._add_field_set(child, child_type, node.selection_set.selections)

    def _entity_group(
        self, subgraph: str, path: Path, needs: set[int], only: frozenset[str] | None
    ) -> FetchGroup:
        """Reuse the entity group of this subgraph at this path unless that makes a cycle."""
        candidates = self._entity_groups.setdefault((subgraph, path, only), [])
        for candidate in candidates:
            if not any(depends_on(self.groups, need, candidate.id) for need in needs):
                return candidate
        group = self._new_group(subgraph, path, entity=True)
        group.entity_types = only
        candidates.append(group)
        return group

    def _new_group(self, subgraph: str, path: Path, *, entity: bool) -> FetchGroup:
        group = FetchGroup(
            id=len(self.groups),
            subgraph=subgraph,
            paths=[path],
            requires=SubSelection() if entity else None,
        )
        self.groups[group.id] = group
        return group


def _context_selection_nodes(
    selection: ast.SelectionSetNode, runtime: frozenset[str]
) -> list[ast.SelectionNode]:
    """The part of a @fromContext selection that applies to objects of the ``runtime`` types:
    a plain field always, a ``... on Type`` fragment when its type is one of them."""
    return [
        node
        for node in selection.selections
        if not isinstance(node, ast.InlineFragmentNode)
        or node.type_condition is None
        or node.type_condition.name.value in runtime
    ]


def _unwrap_fragments(nodes: list[ast.SelectionNode]) -> tuple[ast.SelectionNode, ...]:
    """The selections inside the (already matching) fragments of a context selection."""
    result: list[ast.SelectionNode] = []
    for node in nodes:
        if isinstance(node, ast.InlineFragmentNode):
            result.extend(_unwrap_fragments(list(node.selection_set.selections)))
        else:
            result.append(node)
    return tuple(result)


def _add_rewrite(rewrites: list[ContextRewrite], rewrite: ContextRewrite) -> None:
    """The same argument reached through ancestors of other types at the same depth reads
    the union of their (type-conditioned) selections; through ancestors at other depths, each
    entity reads the deepest one that applies to its own ancestors (kept deepest first)."""
    for index, existing in enumerate(rewrites):
        if existing.variable != rewrite.variable or existing.depth != rewrite.depth:
            continue
        merged = existing.selection.copy()
        merged.merge(rewrite.selection)
        rewrites[index] = ContextRewrite(existing.variable, existing.depth, merged)
        return
    rewrites.append(rewrite)
    rewrites.sort(key=lambda found: -found.depth)
