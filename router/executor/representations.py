"""Collect the entities at a plan path and build their distinct representations."""

from __future__ import annotations

from typing import Any

import orjson

from router.planner.nodes import ResponsePathPattern
from router.planner.selection import SubField, SubFragment, SubSelection


class EntityBatch:
    """Distinct representations, the objects each one answers for and where the first is."""

    __slots__ = ("_index", "paths", "representations", "targets")

    def __init__(self) -> None:
        self.representations: list[dict[str, Any]] = []
        # Per representation: the objects it answers for, with the index of their path.
        self.targets: list[list[tuple[dict[str, Any], int]]] = []
        self.paths: list[list[str | int]] = []
        self._index: dict[bytes, int] = {}

    def add(
        self,
        entity: dict[str, Any],
        representation: dict[str, Any],
        path: list[str | int],
        path_index: int,
    ) -> None:
        fingerprint = orjson.dumps(representation, option=orjson.OPT_SORT_KEYS)
        index = self._index.get(fingerprint)
        if index is None:
            self._index[fingerprint] = len(self.representations)
            self.representations.append(representation)
            self.targets.append([(entity, path_index)])
            self.paths.append(list(path))
        else:
            self.targets[index].append((entity, path_index))


def collect_entities(
    data: dict[str, Any],
    paths: tuple[ResponsePathPattern, ...],
    path_requires: tuple[SubSelection, ...],
) -> EntityBatch:
    batch = EntityBatch()
    trail: list[str | int] = []
    for path_index, (path, requires) in enumerate(zip(paths, path_requires, strict=True)):
        by_type = {
            item.type_condition: item.selection
            for item in requires.items.values()
            if isinstance(item, SubFragment)
        }
        _walk(data, path, 0, by_type, batch, trail, path_index)
    return batch


def _walk(
    value: Any,
    path: ResponsePathPattern,
    depth: int,
    by_type: dict[str, SubSelection],
    batch: EntityBatch,
    trail: list[str | int],
    path_index: int,
) -> None:
    if value is None:
        return
    if depth == len(path):
        if isinstance(value, dict):
            selection = by_type.get(value.get("__typename"))  # type: ignore[arg-type]
            if selection is not None:
                representation = project(value, selection)
                if representation is not None:
                    batch.add(value, representation, trail, path_index)
        return
    step = path[depth]
    if step == "@":
        if isinstance(value, list):
            for index, item in enumerate(value):
                trail.append(index)
                _walk(item, path, depth + 1, by_type, batch, trail, path_index)
                trail.pop()
        return
    if isinstance(value, dict):
        trail.append(step)
        _walk(value.get(step), path, depth + 1, by_type, batch, trail, path_index)
        trail.pop()


def project(value: dict[str, Any], selection: SubSelection) -> dict[str, Any] | None:
    """The fields of ``selection`` taken from ``value``; None when a field is missing."""
    result: dict[str, Any] = {}
    for item in selection.items.values():
        if isinstance(item, SubFragment):
            if value.get("__typename") == item.type_condition:
                nested = project(value, item.selection)
                if nested is None:
                    return None
                result.update(nested)
            continue
        assert isinstance(item, SubField)
        if item.key not in value:
            return None
        field_value = value[item.key]
        if item.selection is None or field_value is None:
            result[item.key] = field_value
        elif isinstance(field_value, list):
            projected = [
                project(element, item.selection) if isinstance(element, dict) else element
                for element in field_value
            ]
            if any(element is None for element in projected):
                return None
            result[item.key] = projected
        elif isinstance(field_value, dict):
            nested = project(field_value, item.selection)
            if nested is None:
                return None
            result[item.key] = nested
        else:
            return None
    return result
