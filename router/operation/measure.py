"""Measure a parsed, not yet validated operation: depth, aliases, root fields, fields.

Fragments count as if expanded where they are spread, but each fragment is measured once
(a summary reused at every spread), so a fragment spread twice by a fragment spread twice...
costs nothing to measure however large its expansion. Spreads of unknown fragments and spreads
that close a cycle count as empty: validation rejects those documents afterwards.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from graphql.language import ast


@dataclass(frozen=True, slots=True)
class Measurements:
    depth: int = 0  # root fields are at depth 1
    aliases: int = 0
    root_fields: int = 0
    fields: int = 0

    def widest(self, other: Measurements) -> Measurements:
        return Measurements(
            max(self.depth, other.depth),
            max(self.aliases, other.aliases),
            max(self.root_fields, other.root_fields),
            max(self.fields, other.fields),
        )


_EMPTY = Measurements()


def measure_operation(
    operation: ast.OperationDefinitionNode,
    fragments: Mapping[str, ast.FragmentDefinitionNode],
) -> Measurements:
    summaries: dict[str, Measurements] = {}
    for name in _fragments_in_dependency_order(operation.selection_set, fragments):
        summaries[name] = _measure(fragments[name].selection_set, summaries)
    return _measure(operation.selection_set, summaries)


def measure_document(
    document: ast.DocumentNode, fragments: Mapping[str, ast.FragmentDefinitionNode]
) -> Measurements:
    """The largest measurements of any operation in the document."""
    widest = _EMPTY
    for definition in document.definitions:
        if isinstance(definition, ast.OperationDefinitionNode):
            widest = widest.widest(measure_operation(definition, fragments))
    return widest


def _spreads(selection_set: ast.SelectionSetNode) -> Iterable[str]:
    for selection in selection_set.selections:
        if isinstance(selection, ast.FragmentSpreadNode):
            yield selection.name.value
        else:
            assert isinstance(selection, ast.FieldNode | ast.InlineFragmentNode)
            if selection.selection_set is not None:
                yield from _spreads(selection.selection_set)


def _fragments_in_dependency_order(
    root: ast.SelectionSetNode, fragments: Mapping[str, ast.FragmentDefinitionNode]
) -> list[str]:
    """The fragments reachable from ``root``, each after those it spreads (an iterative
    depth-first walk: fragment chains may be longer than Python's recursion limit)."""
    order: list[str] = []
    state: dict[str, bool] = {}  # False: on the current path, True: done
    stack: list[tuple[str, list[str]]] = []

    def enter(name: str) -> None:
        if name in fragments and name not in state:
            state[name] = False
            stack.append((name, list(_spreads(fragments[name].selection_set))))

    for name in _spreads(root):
        enter(name)
        while stack:
            current, pending = stack[-1]
            if pending:
                enter(pending.pop())
                continue
            stack.pop()
            state[current] = True
            order.append(current)
    return order


def _measure(
    selection_set: ast.SelectionSetNode, summaries: Mapping[str, Measurements]
) -> Measurements:
    """The measurements of a selection set whose fields are at depth 1. A fragment not in
    ``summaries`` (unknown, or on a cycle) counts as empty."""
    depth = aliases = root_fields = fields = 0
    for selection in selection_set.selections:
        if isinstance(selection, ast.FieldNode):
            inner = (
                _measure(selection.selection_set, summaries)
                if selection.selection_set is not None
                else _EMPTY
            )
            depth = max(depth, 1 + inner.depth)
            aliases += inner.aliases + (selection.alias is not None)
            root_fields += 1
            fields += 1 + inner.fields
            continue
        if isinstance(selection, ast.FragmentSpreadNode):
            inner = summaries.get(selection.name.value, _EMPTY)
        else:
            assert isinstance(selection, ast.InlineFragmentNode)
            inner = _measure(selection.selection_set, summaries)
        depth = max(depth, inner.depth)
        aliases += inner.aliases
        root_fields += inner.root_fields
        fields += inner.fields
    return Measurements(depth, aliases, root_fields, fields)
