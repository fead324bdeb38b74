"""Subgraph selection sets built while planning: mergeable, printable, variable-aware."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from graphql import print_ast
from graphql.language import ast

from router.errors import QueryPlanningError

# ``@include(if: $v)`` as ("v", True), ``@skip(if: $v)`` as ("v", False). Only plans shown to
# people carry them (``router.planner.conditions``): executed selections are per variant.
Conditions = tuple[tuple[str, bool], ...]


@dataclass(slots=True)
class SubField:
    key: str  # the response key in the subgraph's answer (what the executor reads)
    name: str
    arguments: tuple[ast.ArgumentNode, ...]
    selection: SubSelection | None
    conditions: Conditions = ()

    def same_field(self, name: str, arguments: tuple[ast.ArgumentNode, ...]) -> bool:
        return self.name == name and _arguments_text(self.arguments) == _arguments_text(arguments)


@dataclass(slots=True)
class SubFragment:
    type_condition: str  # "" for a fragment that only carries conditions
    selection: SubSelection
    conditions: Conditions = ()


@dataclass(slots=True)
class SubSelection:
    """An ordered, merging selection set: fields by response key, fragments by type."""

    items: dict[str, SubField | SubFragment] = field(default_factory=dict)

    def add_field(
        self,
        key: str,
        name: str,
        arguments: tuple[ast.ArgumentNode, ...] = (),
        composite: bool = False,
    ) -> SubSelection | None:
        existing = self.items.get(key)
        if existing is None:
            existing = SubField(key, name, arguments, SubSelection() if composite else None)
            self.items[key] = existing
        elif not isinstance(existing, SubField) or not existing.same_field(name, arguments):
            raise QueryPlanningError(f"conflicting selections for response key {key!r}")
        return existing.selection

    def add_typename(self) -> None:
        """Select ``__typename`` first, where plan readers expect it."""
        if "__typename" not in self.items:
            self.items = {
                "__typename": SubField("__typename", "__typename", (), None),
                **self.items,
            }

    def fragment(self, type_condition: str) -> SubSelection:
        slot = "... on " + type_condition
        existing = self.items.get(slot)
        if existing is None:
            existing = SubFragment(type_condition, SubSelection())
            self.items[slot] = existing
        assert isinstance(existing, SubFragment)
        return existing.selection

    def merge(self, other: SubSelection) -> None:
        """Add every selection of ``other`` (raises QueryPlanningError on a conflict)."""
        for item in other.items.values():
            if isinstance(item, SubFragment):
                self.fragment(item.type_condition).merge(item.selection)
                continue
            child = self.add_field(item.key, item.name, item.arguments, item.selection is not None)
            if child is not None and item.selection is not None:
                child.merge(item.selection)

    def copy(self) -> SubSelection:
        duplicate = SubSelection()
        duplicate.merge(self)
        return duplicate

    def can_merge(self, other: SubSelection) -> bool:
        """Whether ``other`` merges in without any response key changing meaning.

        Stricter than GraphQL's field merging on purpose: selections from different places of
        the client operation only share a response key when they select the same field with
        the same arguments, under any type condition (so response shapes never conflict).
        """
        return _compatible(_fields_by_key(self), _fields_by_key(other))

    def is_empty(self) -> bool:
        return not self.items


def _fields_by_key(selection: SubSelection) -> dict[str, list[SubField]]:
    """Fields by response key, looking through every type condition."""
    found: dict[str, list[SubField]] = {}
    for item in selection.items.values():
        if isinstance(item, SubFragment):
            for key, fields in _fields_by_key(item.selection).items():
                found.setdefault(key, []).extend(fields)
        else:
            found.setdefault(item.key, []).append(item)
    return found


def _compatible(left: dict[str, list[SubField]], right: dict[str, list[SubField]]) -> bool:
    for key in left.keys() & right.keys():
        reference = left[key][0]
        fields = left[key] + right[key]
        if not all(f.same_field(reference.name, reference.arguments) for f in fields):
            return False
        if (reference.selection is None) != any(f.selection is None for f in fields):
            return False
        if reference.selection is not None:
            left_children: dict[str, list[SubField]] = {}
            right_children: dict[str, list[SubField]] = {}
            for field in left[key]:
                for child_key, children in _fields_by_key(
                    field.selection or SubSelection()
                ).items():
                    left_children.setdefault(child_key, []).extend(children)
            for field in right[key]:
                for child_key, children in _fields_by_key(
                    field.selection or SubSelection()
                ).items():
                    right_children.setdefault(child_key, []).extend(children)
            if not _compatible(left_children, right_children):
                return False
    return True


def _arguments_text(arguments: tuple[ast.ArgumentNode, ...]) -> str:
    if not arguments:
        return ""
    return "(" + ", ".join(f"{a.name.value}: {print_ast(a.value)}" for a in arguments) + ")"


def _field_head(item: SubField) -> str:
    alias = f"{item.key}: " if item.key != item.name else ""
    return alias + item.name + _arguments_text(item.arguments) + _directives(item.conditions)


def _directives(conditions: Conditions) -> str:
    return "".join(f" @{'include' if value else 'skip'}(if: ${name})" for name, value in conditions)


def _fragment_head(item: SubFragment) -> str:
    on = f" on {item.type_condition}" if item.type_condition else ""
    return "..." + on + _directives(item.conditions)


def print_compact(selection: SubSelection) -> str:
    """The selection set as sent on the wire: ``{a b{c}}``."""
    parts: list[str] = []
    for item in selection.items.values():
        if isinstance(item, SubFragment):
            head = _fragment_head(item).replace("... on ", "...on ", 1)
            parts.append(head + print_compact(item.selection))
        elif item.selection is None:
            parts.append(_field_head(item))
        else:
            parts.append(_field_head(item) + print_compact(item.selection))
    return "{" + " ".join(parts) + "}"


def print_pretty(selection: SubSelection, indent: str) -> list[str]:
    """The selection set in the plan printer's layout, one line per selection."""
    lines = [indent + "{"]
    lines.extend(_pretty_items(selection, indent + "  "))
    lines.append(indent + "}")
    return lines


def _pretty_items(selection: SubSelection, indent: str) -> list[str]:
    lines: list[str] = []
    for item in selection.items.values():
        if isinstance(item, SubFragment):
            lines.append(f"{indent}{_fragment_head(item)} {{")
            lines.extend(_pretty_items(item.selection, indent + "  "))
            lines.append(indent + "}")
        elif item.selection is None:
            lines.append(indent + _field_head(item))
        else:
            lines.append(f"{indent}{_field_head(item)} {{")
            lines.extend(_pretty_items(item.selection, indent + "  "))
            lines.append(indent + "}")
    return lines


def variables_used(selection: SubSelection) -> list[str]:
    """Names of the variables the selection's arguments use, in first-use order."""
    found: dict[str, None] = {}

    def visit_value(value: ast.ValueNode) -> None:
        if isinstance(value, ast.VariableNode):
            found[value.name.value] = None
        elif isinstance(value, ast.ListValueNode):
            for element in value.values:
                visit_value(element)
        elif isinstance(value, ast.ObjectValueNode):
            for object_field in value.fields:
                visit_value(object_field.value)

    def walk(current: SubSelection) -> None:
        for item in current.items.values():
            for name, _ in item.conditions:
                found[name] = None
            if isinstance(item, SubFragment):
                walk(item.selection)
                continue
            for argument in item.arguments:
                visit_value(argument.value)
            if item.selection is not None:
                walk(item.selection)

    walk(selection)
    return list(found)


def renamed_variables(selection: SubSelection, names: Mapping[str, str]) -> SubSelection:
    """A copy of the selection whose arguments use ``names[v]`` for each variable ``v``."""
    result = SubSelection()
    for key, item in selection.items.items():
        if isinstance(item, SubFragment):
            result.items[key] = SubFragment(
                item.type_condition, renamed_variables(item.selection, names)
            )
            continue
        result.items[key] = SubField(
            item.key,
            item.name,
            tuple(
                ast.ArgumentNode(name=argument.name, value=_renamed(argument.value, names))
                for argument in item.arguments
            ),
            None if item.selection is None else renamed_variables(item.selection, names),
        )
    return result


def _renamed(value: ast.ValueNode, names: Mapping[str, str]) -> ast.ValueNode:
    if isinstance(value, ast.VariableNode):
        name = value.name.value
        return ast.VariableNode(name=ast.NameNode(value=names[name])) if name in names else value
    if isinstance(value, ast.ListValueNode):
        return ast.ListValueNode(values=tuple(_renamed(v, names) for v in value.values))
    if isinstance(value, ast.ObjectValueNode):
        return ast.ObjectValueNode(
            fields=tuple(
                ast.ObjectFieldNode(name=f.name, value=_renamed(f.value, names))
                for f in value.fields
            )
        )
    return value
