"""Per-supergraph facts the planner and the response shaper share (computed once)."""

from __future__ import annotations

from functools import cached_property

from graphql import (
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLUnionType,
    get_named_type,
    is_composite_type,
    parse_type,
    type_from_ast,
)
from graphql.language import ast

from router.operation.normalise import Field, Fragment, Selection
from router.supergraph import Supergraph

# Client aliases that shadow a field name get this prefix in subgraph operations, so that a
# key or @requires field the planner adds under its own name never collides with them.
SHADOW_PREFIX = "_ehb_"

Provided = dict[str, "Provided"]


class PlanningContext:
    def __init__(self, supergraph: Supergraph) -> None:
        self.supergraph = supergraph
        self.schema = supergraph.schema
        self._subgraph_types: dict[tuple[str, str, str], GraphQLOutputType | None] = {}

    @cached_property
    def field_names(self) -> frozenset[str]:
        names: set[str] = set()
        for named in self.schema.type_map.values():
            fields = getattr(named, "fields", None)
            if fields and is_composite_type(named):
                names.update(fields)
        return frozenset(names)

    @cached_property
    def _context_setters(self) -> dict[str, frozenset[str]]:
        """Per @context name: the types at which it is set. As in Apollo's query graph, a
        context on an interface is set by its implementations and one on a union by its
        members, as well as by the type itself."""
        setters: dict[str, set[str]] = {}
        for name, model in self.supergraph.types.items():
            if not model.contexts:
                continue
            named = self.schema.type_map[name]
            types = {name}
            if isinstance(named, GraphQLUnionType):
                types.update(member.name for member in named.types)
            elif isinstance(named, GraphQLInterfaceType):
                implementations = self.schema.get_implementations(named)
                types.update(t.name for t in implementations.objects)
                types.update(t.name for t in implementations.interfaces)
            for context_name in model.contexts:
                setters.setdefault(context_name, set()).update(types)
        return {name: frozenset(types) for name, types in setters.items()}

    def sets_context(self, type_name: str, context_name: str) -> bool:
        """Whether objects selected as ``type_name`` set the context ``context_name``."""
        return type_name in self._context_setters.get(context_name, frozenset())

    def storage_key(self, field: Field) -> str:
        """The response key used for ``field`` in subgraph operations and merged data."""
        key = field.response_key
        if key == field.name:
            return key
        if key.startswith("__") or key in self.field_names or key.startswith(SHADOW_PREFIX):
            return SHADOW_PREFIX + key
        return key

    def kind(self, type_name: str) -> str:
        model = self.supergraph.types.get(type_name)
        return model.kind if model is not None else "leaf"

    def field(self, parent: str, field_name: str) -> GraphQLField:
        named = self.schema.type_map[parent]
        assert isinstance(named, GraphQLObjectType | GraphQLInterfaceType)
        field: GraphQLField = named.fields[field_name]
        return field

    def field_type_name(self, parent: str, field_name: str) -> str:
        name: str = get_named_type(self.field(parent, field_name).type).name
        return name

    def subgraph_field_type(
        self, parent: str, field_name: str, graph: str
    ) -> GraphQLOutputType | None:
        """The field's type as ``graph`` declares it: ``@join__field(type:)`` when the
        subgraphs disagree (one may say ``String!`` where the supergraph says ``String``, or
        an object type where the supergraph has its interface), else the supergraph's. None
        for a field the supergraph does not know (``_entities``)."""
        key = (parent, field_name, graph)
        if key in self._subgraph_types:
            return self._subgraph_types[key]
        found: GraphQLOutputType | None = None
        named = self.schema.type_map.get(parent)
        fields = getattr(named, "fields", None)
        if fields is not None and field_name in fields:
            found = fields[field_name].type
            model = self.supergraph.types.get(parent)
            field_model = model.fields.get(field_name) if model is not None else None
            in_graph = field_model.in_graphs.get(graph) if field_model is not None else None
            if in_graph is not None and in_graph.type:
                declared = type_from_ast(self.schema, parse_type(in_graph.type))
                if declared is not None:
                    found = declared  # type: ignore[assignment]
        self._subgraph_types[key] = found
        return found

    def subgraph_type_name(self, parent: str, field_name: str, graph: str) -> str:
        """The named type of the field as ``graph`` declares it (see ``subgraph_field_type``)."""
        declared = self.subgraph_field_type(parent, field_name, graph)
        if declared is None:
            return self.field_type_name(parent, field_name)
        name: str = get_named_type(declared).name
        return name

    def list_depth(self, parent: str, field_name: str) -> int:
        field_type: GraphQLOutputType = self.field(parent, field_name).type
        depth = 0
        while isinstance(field_type, GraphQLNonNull | GraphQLList):
            if isinstance(field_type, GraphQLList):
                depth += 1
            field_type = field_type.of_type
        return depth

    def covers(self, type_condition: str, object_type: str) -> bool:
        """Every object of ``object_type`` matches a fragment on ``type_condition``."""
        if type_condition == object_type:
            return True
        condition = self.schema.type_map.get(type_condition)
        target = self.schema.type_map.get(object_type)
        if condition is None or not isinstance(target, GraphQLObjectType):
            return False
        if self.kind(type_condition) == "object":
            return False
        return self.schema.is_sub_type(condition, target)  # type: ignore[arg-type]

    def possible_types(self, type_name: str) -> frozenset[str]:
        named = self.schema.type_map[type_name]
        if isinstance(named, GraphQLObjectType):
            return frozenset({type_name})
        return frozenset(t.name for t in self.schema.get_possible_types(named))  # type: ignore[arg-type]

    def field_set_items(
        self, parent: str, selection_set: ast.SelectionSetNode
    ) -> tuple[Selection, ...]:
        """A @key/@requires field set as normalised selections (no aliases, no arguments)."""
        items: list[Selection] = []
        for node in selection_set.selections:
            if isinstance(node, ast.InlineFragmentNode):
                condition = node.type_condition.name.value if node.type_condition else parent
                items.append(
                    Fragment(condition, self.field_set_items(condition, node.selection_set))
                )
                continue
            assert isinstance(node, ast.FieldNode)
            name = node.name.value
            if name == "__typename":
                items.append(Field(name, name, (), None, None))
                continue
            type_name = self.field_type_name(parent, name)
            children = (
                self.field_set_items(type_name, node.selection_set) if node.selection_set else None
            )
            items.append(Field(name, name, tuple(node.arguments or ()), type_name, children))
        return tuple(items)


CONDITION_PREFIX = "... on "


def provided_tree(selection_set: ast.SelectionSetNode) -> Provided:
    """A @provides field set as nested field names. Fields under a type condition sit in a
    branch keyed ``"... on Type"``: they are provided only for objects of that type."""
    tree: Provided = {}
    for node in selection_set.selections:
        if isinstance(node, ast.InlineFragmentNode):
            branch = tree
            if node.type_condition is not None:
                branch = tree.setdefault(CONDITION_PREFIX + node.type_condition.name.value, {})
            merge_provided(branch, provided_tree(node.selection_set))
        elif isinstance(node, ast.FieldNode):
            child = tree.setdefault(node.name.value, {})
            if node.selection_set:
                merge_provided(child, provided_tree(node.selection_set))
    return tree


def merge_provided(target: Provided, source: Provided) -> None:
    for name, child in source.items():
        merge_provided(target.setdefault(name, {}), child)


def provided_for(context: PlanningContext, provided: Provided, parent: str) -> Provided:
    """What ``provided`` provides for objects of type ``parent``: the unconditional fields
    and the branches whose type condition ``parent`` satisfies."""
    if not any(key.startswith(CONDITION_PREFIX) for key in provided):
        return provided
    result: Provided = {}
    for key, child in provided.items():
        if not key.startswith(CONDITION_PREFIX):
            merge_provided(result, {key: child})
            continue
        condition = key[len(CONDITION_PREFIX) :]
        if condition == parent or (
            context.kind(parent) == "object" and parent in context.possible_types(condition)
        ):
            merge_provided(result, provided_for(context, child, parent))
    return result
