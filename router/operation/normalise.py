"""Normalise a client operation: fragments inlined, fields merged, @skip/@include resolved.

The normal form is a tree of ``Field`` and ``Fragment`` (type-conditioned) selections in
document order. Fields with the same response key at the same level are merged at their first
included occurrence; inline fragments that cannot narrow the type are flattened into their
parent, the others kept one per occurrence (empty ones dropped). Conditions are
resolved with the values of the variables they use (one normal form per combination).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from graphql import (
    GraphQLCompositeType,
    GraphQLObjectType,
    GraphQLSchema,
    get_named_type,
    is_abstract_type,
    is_composite_type,
)
from graphql.language import ast

from router.operation.document import ClientOperation

INTROSPECTION_ROOT_FIELDS = frozenset({"__schema", "__type"})


@dataclass(frozen=True, slots=True)
class Field:
    response_key: str
    name: str
    arguments: tuple[ast.ArgumentNode, ...]
    # The named return type; None for __typename.
    type_name: str | None
    selections: tuple[Selection, ...] | None

    @property
    def is_typename(self) -> bool:
        return self.name == "__typename"


@dataclass(frozen=True, slots=True)
class Fragment:
    type_condition: str
    selections: tuple[Selection, ...]


Selection = Field | Fragment


@dataclass(slots=True)
class _FieldEntry:
    node: ast.FieldNode
    children: list[ast.SelectionNode]


def condition_variables(operation: ClientOperation) -> tuple[str, ...]:
    """Variables used by @skip/@include anywhere in the operation, sorted."""
    found: set[str] = set()

    def walk(selection_set: ast.SelectionSetNode | None, seen: set[str]) -> None:
        for selection in selection_set.selections if selection_set else ():
            for directive in selection.directives or ():
                if directive.name.value in ("skip", "include"):
                    for argument in directive.arguments or ():
                        if isinstance(argument.value, ast.VariableNode):
                            found.add(argument.value.name.value)
            if isinstance(selection, ast.FragmentSpreadNode):
                name = selection.name.value
                if name not in seen and name in operation.fragments:
                    walk(operation.fragments[name].selection_set, seen | {name})
            else:
                assert isinstance(selection, ast.FieldNode | ast.InlineFragmentNode)
                walk(selection.selection_set, seen)

    walk(operation.operation.selection_set, set())
    return tuple(sorted(found))


class _Normaliser:
    def __init__(
        self,
        schema: GraphQLSchema,
        operation: ClientOperation,
        conditions: Mapping[str, bool],
    ) -> None:
        self.schema = schema
        self.fragments = operation.fragments
        self.conditions = conditions

    def included(self, node: ast.SelectionNode) -> bool:
        for directive in node.directives or ():
            name = directive.name.value
            if name not in ("skip", "include"):
                continue
            value_node = directive.arguments[0].value if directive.arguments else None
            if isinstance(value_node, ast.VariableNode):
                value = bool(self.conditions.get(value_node.name.value, False))
            else:
                value = isinstance(value_node, ast.BooleanValueNode) and value_node.value
            if (name == "skip") == value:
                return False
        return True

    def selections(
        self, parent: GraphQLCompositeType, nodes: list[ast.SelectionNode]
    ) -> tuple[Selection, ...]:
        order: list[_FieldEntry | tuple[str, list[ast.SelectionNode]]] = []
        self._collect(parent, nodes, order, {})
        result: list[Selection] = []
        for entry in order:
            if isinstance(entry, _FieldEntry):
                result.append(self._field(parent, entry.node, entry.children))
                continue
            type_condition, children = entry
            narrowed = self.schema.type_map[type_condition]
            assert isinstance(narrowed, GraphQLCompositeType)
            inner = self.selections(narrowed, children)
            if inner:
                result.append(Fragment(type_condition, inner))
        return tuple(result)

    def _collect(
        self,
        parent: GraphQLCompositeType,
        nodes: list[ast.SelectionNode],
        order: list[_FieldEntry | tuple[str, list[ast.SelectionNode]]],
        open_fields: dict[str, _FieldEntry],
    ) -> None:
        """Fields merge by response key at their first included occurrence. Fragments that
        narrow the type stay apart, in document order: the response's key order interleaves
        their fields with the others', differently for each object type. A field repeated
        after such a fragment starts a new entry (shaping merges them per object type), so
        its sub-selections keep their place after the fragment's."""
        for node in nodes:
            if not self.included(node):
                continue
            if isinstance(node, ast.FieldNode):
                key = node.alias.value if node.alias else node.name.value
                entry = open_fields.get(key)
                if entry is None:
                    entry = open_fields[key] = _FieldEntry(node, [])
                    order.append(entry)
                if node.selection_set:
                    entry.children.extend(node.selection_set.selections)
                continue
            if isinstance(node, ast.FragmentSpreadNode):
                definition = self.fragments[node.name.value]
                type_condition: str | None = definition.type_condition.name.value
                children = list(definition.selection_set.selections)
            else:
                assert isinstance(node, ast.InlineFragmentNode)
                type_condition = node.type_condition.name.value if node.type_condition else None
                children = list(node.selection_set.selections)
            if type_condition is None or self._covers(type_condition, parent):
                self._collect(parent, children, order, open_fields)
            elif isinstance(parent, GraphQLObjectType):
                continue  # a condition that never matches this object type
            else:
                order.append((type_condition, children))
                open_fields.clear()

    def _covers(self, type_condition: str, parent: GraphQLCompositeType) -> bool:
        """A fragment on ``type_condition`` applies to every object ``parent`` can be."""
        if type_condition == parent.name:
            return True
        condition = self.schema.type_map[type_condition]
        if isinstance(parent, GraphQLObjectType) and is_abstract_type(condition):
            return self.schema.is_sub_type(condition, parent)
        return False

    def _field(
        self,
        parent: GraphQLCompositeType,
        node: ast.FieldNode,
        children: list[ast.SelectionNode],
    ) -> Field:
        name = node.name.value
        key = node.alias.value if node.alias else name
        if name == "__typename" or name in INTROSPECTION_ROOT_FIELDS:
            return Field(key, name, tuple(node.arguments or ()), None, None)
        definition = parent.fields[name]  # type: ignore[union-attr]
        named = get_named_type(definition.type)
        selections = self.selections(named, children) if is_composite_type(named) else None
        return Field(key, name, tuple(node.arguments or ()), named.name, selections)


def normalise_operation(
    schema: GraphQLSchema, operation: ClientOperation, conditions: Mapping[str, bool]
) -> tuple[Selection, ...]:
    """The normal form of the operation's root selection set under the given conditions."""
    root = schema.get_root_type(operation.operation.operation)
    assert root is not None
    normaliser = _Normaliser(schema, operation, conditions)
    return normaliser.selections(root, list(operation.operation.selection_set.selections))
