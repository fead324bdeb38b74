"""Merge subgraph results into the response data in place (no copies)."""

from __future__ import annotations

from typing import Any

from router.planner.selection import SubFragment, SubSelection


def deep_merge(target: dict[str, Any], source: dict[str, Any]) -> None:
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
