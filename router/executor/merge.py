"""Merge subgraph results into the response data in place (no copies)."""

from __future__ import annotations

from typing import Any

from router.planner.aliases import Renames
from router.planner.selection import SubFragment, SubSelection


def deep_merge(target: dict[str, Any], source: dict[str, Any]) -> None:
    if target.keys().isdisjoint(source):  # the usual entity answer: only new fields
        target.update(source)
        return
    for key, value in source.items():
        existing = target.get(key)
        if isinstance(existing, dict) and isinstance(value, dict):
            if existing is not value:
                deep_merge(existing, value)
        elif isinstance(existing, list) and isinstance(value, list) and len(existing) == len(value):
            _merge_lists(existing, value)
        else:
            target[key] = value


def _merge_lists(target: list[Any], source: list[Any]) -> None:
    for index, value in enumerate(source):
        existing = target[index]
        if isinstance(existing, dict) and isinstance(value, dict):
            if existing is not value:
                deep_merge(existing, value)
        elif isinstance(existing, list) and isinstance(value, list) and len(existing) == len(value):
            _merge_lists(existing, value)
        else:
            target[index] = value


def merge_selected(target: dict[str, Any], source: dict[str, Any], selection: SubSelection) -> None:
    """Merge only what ``selection`` selects, copying containers so nothing is shared.

    Used when one entity fetch served several paths: the result holds fields selected for
    other paths, where the same response key may mean another field.
    """
    for item in selection.items.values():
        if isinstance(item, SubFragment):
            merge_selected(target, source, item.selection)
            continue
        key = item.key
        if key not in source:
            continue
        value = source[key]
        if item.selection is None or value is None:
            target[key] = value
            continue
        existing = target.get(key)
        if isinstance(value, dict):
            if not isinstance(existing, dict):
                existing = {}
                target[key] = existing
            merge_selected(existing, value, item.selection)
        elif isinstance(value, list):
            if not isinstance(existing, list) or len(existing) != len(value):
                existing = [None] * len(value)
                target[key] = existing
            _merge_selected_list(existing, value, item.selection)
        else:
            target[key] = value


def _merge_selected_list(target: list[Any], source: list[Any], selection: SubSelection) -> None:
    for index, value in enumerate(source):
        existing = target[index]
        if isinstance(value, dict):
            if not isinstance(existing, dict):
                existing = {}
                target[index] = existing
            merge_selected(existing, value, selection)
        elif isinstance(value, list):
            if not isinstance(existing, list) or len(existing) != len(value):
                existing = [None] * len(value)
                target[index] = existing
            _merge_selected_list(existing, value, selection)
        else:
            target[index] = value


def apply_renames(value: Any, renames: Renames) -> None:
    """Undo the aliases a fetch used for fields the subgraph could not merge (in place):
    each aliased value moves back under its response key, merged with a value already
    there (the same field, selected under another type condition)."""
    if isinstance(value, list):
        for item in value:
            apply_renames(item, renames)
        return
    if not isinstance(value, dict):
        return
    for key, rename in renames.items():
        if key not in value:
            continue
        if rename.nested is not None:
            apply_renames(value[key], rename.nested)
        if rename.original is None:
            continue
        moved = value.pop(key)
        existing = value.get(rename.original)
        if isinstance(existing, dict) and isinstance(moved, dict):
            deep_merge(existing, moved)
        elif isinstance(existing, list) and isinstance(moved, list) and len(existing) == len(moved):
            _merge_lists(existing, moved)
        elif existing is None:
            value[rename.original] = moved


def renamed_path(path: list[Any], renames: Renames | None) -> list[Any]:
    """A subgraph error path with aliases replaced by the response keys they stand for."""
    if renames is None:
        return path
    result: list[Any] = []
    current: Renames | None = renames
    for element in path:
        rename = current.get(element) if current is not None and isinstance(element, str) else None
        if rename is None:
            result.append(element)
            if isinstance(element, str):
                current = None
            continue
        result.append(rename.original or element)
        current = rename.nested
    return result
