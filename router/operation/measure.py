"""Measure a parsed, not yet validated operation: depth, aliases, root fields, fields.

Fragments count as if expanded where they are spread, but each fragment is measured once
(a summary reused at every spread), so a fragment spread twice by a fragment spread twice...
costs nothing to measure however large its expansion. Spreads of unknown fragments and spreads
that close a cycle count as empty: validation rejects those documents afterwards.

Root fields are the distinct response keys at the root once fragments are expanded: GraphQL
merges the selections that share a response key into one field, so ``me`` selected by two
fragments is one root field, while ``a: me`` and ``b: me`` are two.
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


@dataclass(frozen=True, slots=True)
class _Shape:
    """What a selection set adds wherever it is spread (root fields are counted apart)."""

    depth: int = 0
    aliases: int = 0
    fields: int = 0


_EMPTY = Measurements()
_NO_SHAPE = _Shape()


def measure_operation(
    operation: ast.OperationDefinitionNode,
    fragments: Mapping[str, ast.FragmentDefinitionNode],
) -> Measurements:
    summaries: dict[str, _Shape] = {}
    for name in _fragments_in_dependency_order(operation.selection_set, fragments):
        summaries[name] = _measure(fragments[name].selection_set, summaries)
    shape = _measure(operation.selection_set, summaries)
    root_fields = len(_root_response_keys(operation.selection_set, fragments))
    return Measurements(shape.depth, shape.aliases, root_fields, shape.fields)


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


def _root_response_keys(
    root: ast.SelectionSetNode, fragments: Mapping[str, ast.FragmentDefinitionNode]
) -> set[str]:
    """The response keys of the fields ``root`` selects directly or through fragments. A
    fragment's keys are the same at every spread, so each fragment is read once (which also
    stops at cycles); unknown fragments add nothing."""
    keys: set[str] = set()
    read: set[str] = set()
    pending = [root]
    while pending:
        for selection in pending.pop().selections:
            if isinstance(selection, ast.FieldNode):
                keys.add((selection.alias or selection.name).value)
            elif isinstance(selection, ast.InlineFragmentNode):
                pending.append(selection.selection_set)
            else:
                assert isinstance(selection, ast.FragmentSpreadNode)
                name = selection.name.value
                if name in fragments and name not in read:
                    read.add(name)
                    pending.append(fragments[name].selection_set)
    return keys


def _measure(selection_set: ast.SelectionSetNode, summaries: Mapping[str, _Shape]) -> _Shape:
    """The shape of a selection set whose fields are at depth 1. A fragment not in
    ``summaries`` (unknown, or on a cycle) counts as empty."""
    depth = aliases = fields = 0
    for selection in selection_set.selections:
        if isinstance(selection, ast.FieldNode):
            inner = (
                _measure(selection.selection_set, summaries)
                if selection.selection_set is not None
                else _NO_SHAPE
            )
            depth = max(depth, 1 + inner.depth)
            aliases += inner.aliases + (selection.alias is not None)
            fields += 1 + inner.fields
            continue
        if isinstance(selection, ast.FragmentSpreadNode):
            inner = summaries.get(selection.name.value, _NO_SHAPE)
        else:
            assert isinstance(selection, ast.InlineFragmentNode)
            inner = _measure(selection.selection_set, summaries)
        depth = max(depth, inner.depth)
        aliases += inner.aliases
        fields += inner.fields
    return _Shape(depth, aliases, fields)
