"""Fields a subgraph cannot merge in one operation get aliases; the executor renames them back.

GraphQL lets two fields with the same response key under different type conditions differ
in arguments, never in response shape. The supergraph may agree on a shape where one subgraph
does not: with ``@join__field(type:)`` a subgraph may declare ``Dog.name: String!`` and
``Cat.name: String``, so ``... on Dog { name } ... on Cat { name }`` is valid against the API
schema but rejected by that subgraph. As Apollo's planner does, the later field of such a pair
is sent as ``name__alias_<n>: name``; ``Renames`` tells the executor to move the value back
under ``name`` before anything reads the answer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from graphql import (
    GraphQLList,
    GraphQLNonNull,
    GraphQLOutputType,
    get_named_type,
    is_composite_type,
)

from router.planner.context import PlanningContext
from router.planner.selection import SubField, SubFragment, SubSelection

ENTITIES_PARENT = "_Entity"  # the parent of the fragments under _entities


@dataclass(frozen=True, slots=True)
class Rename:
    """What to do with one response key of a subgraph's answer: move its value to
    ``original`` (when the key is an alias) and apply ``nested`` inside the value."""

    original: str | None
    nested: Renames | None


Renames = Mapping[str, Rename]


class _Seen:
    __slots__ = ("children", "field_type", "name")

    def __init__(self, name: str, field_type: GraphQLOutputType | None) -> None:
        self.name = name
        self.field_type = field_type
        self.children: list[tuple[str, SubSelection]] = []


def alias_non_merging_fields(
    context: PlanningContext, graph: str, parent: str, selection: SubSelection
) -> tuple[SubSelection, Renames | None]:
    """The selection to send to ``graph`` (a copy with aliases where fields cannot merge,
    or ``selection`` itself) and the renames of its answer (None when there are none)."""
    if not _has_conflicts(context, graph, [(parent, selection)]):
        return selection, None
    sent = selection.copy()
    renames = _alias_level(context, graph, [(parent, sent)])
    return sent, renames or None


def _has_conflicts(
    context: PlanningContext, graph: str, sets: list[tuple[str, SubSelection]]
) -> bool:
    seen: dict[str, _Seen] = {}
    for parent, selection in sets:
        for field_parent, _, item in _fields_in_set(parent, selection):
            field_type = _field_type(context, graph, field_parent, item)
            previous = seen.get(item.key)
            if previous is None:
                previous = seen[item.key] = _Seen(item.name, field_type)
            elif previous.name != item.name or not _can_merge(previous.field_type, field_type):
                return True
            if item.selection is not None and field_type is not None:
                previous.children.append((get_named_type(field_type).name, item.selection))
    return any(
        len(entry.children) and _has_conflicts(context, graph, entry.children)
        for entry in seen.values()
    )


def _alias_level(
    context: PlanningContext, graph: str, sets: list[tuple[str, SubSelection]]
) -> dict[str, Rename]:
    """Alias the fields of the selection sets merged at one place of the answer (in place)."""
    seen: dict[str, _Seen] = {}
    renames: dict[str, Rename] = {}
    for parent, selection in sets:
        for field_parent, holder, item in _fields_in_set(parent, selection):
            field_type = _field_type(context, graph, field_parent, item)
            key = item.key
            previous = seen.get(key)
            if previous is not None and (
                previous.name != item.name or not _can_merge(previous.field_type, field_type)
            ):
                key = _alias_name(item.key, seen)
                _rekey(holder, item, key)
                renames[key] = Rename(item.key, None)
                previous = None
            if previous is None:
                previous = seen[key] = _Seen(item.name, field_type)
            if item.selection is not None and field_type is not None:
                previous.children.append((get_named_type(field_type).name, item.selection))
    for key, entry in seen.items():
        if not entry.children:
            continue
        nested = _alias_level(context, graph, entry.children)
        if nested:
            existing = renames.get(key)
            renames[key] = Rename(existing.original if existing else None, nested)
    return renames


def _fields_in_set(
    parent: str, selection: SubSelection
) -> list[tuple[str, SubSelection, SubField]]:
    """Every field of the selection set, fragments looked through: (parent type, the
    selection holding it, the field), in order."""
    found: list[tuple[str, SubSelection, SubField]] = []
    for item in selection.items.values():
        if isinstance(item, SubFragment):
            found.extend(_fields_in_set(item.type_condition, item.selection))
        else:
            found.append((parent, selection, item))
    return found


def _field_type(
    context: PlanningContext, graph: str, parent: str, item: SubField
) -> GraphQLOutputType | None:
    if item.name == "__typename":
        return None  # String! everywhere
    return context.subgraph_field_type(parent, item.name, graph)


def _can_merge(left: GraphQLOutputType | None, right: GraphQLOutputType | None) -> bool:
    """Whether two fields may share a response key (GraphQL's "same response shape")."""
    if left is None or right is None:
        return True  # __typename, or a field the supergraph does not type
    if isinstance(left, GraphQLNonNull) or isinstance(right, GraphQLNonNull):
        return (
            isinstance(left, GraphQLNonNull)
            and isinstance(right, GraphQLNonNull)
            and _can_merge(left.of_type, right.of_type)
        )
    if isinstance(left, GraphQLList) or isinstance(right, GraphQLList):
        return (
            isinstance(left, GraphQLList)
            and isinstance(right, GraphQLList)
            and _can_merge(left.of_type, right.of_type)
        )
    if is_composite_type(left) or is_composite_type(right):
        return is_composite_type(left) and is_composite_type(right)
    return left is right or getattr(left, "name", None) == getattr(right, "name", None)


def _alias_name(key: str, taken: Mapping[str, object]) -> str:
    counter = 0
    while f"{key}__alias_{counter}" in taken:
        counter += 1
    return f"{key}__alias_{counter}"


def _rekey(holder: SubSelection, item: SubField, alias: str) -> None:
    """Replace ``item`` by the same field under the response key ``alias`` (same place)."""
    item_key = item.key
    holder.items = {
        (alias if key == item_key else key): (
            SubField(alias, item.name, item.arguments, item.selection) if key == item_key else value
        )
        for key, value in holder.items.items()
    }
