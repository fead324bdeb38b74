"""Merge subgraph results into the response data in place (no copies)."""

from __future__ import annotations

from typing import Any


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
