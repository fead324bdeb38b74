"""Collect the entities at a plan path and build their distinct representations."""

from __future__ import annotations

from typing import Any

import orjson

from router.executor.merge_codegen import compiled_project
from router.planner.nodes import ContextRewrite, EntityTarget, ResponsePathPattern
from router.planner.selection import SubField, SubFragment, SubSelection


class EntityBatch:
    """Distinct representations and the objects (with their target index) each answers for."""

    __slots__ = ("_index", "representations", "targets")

    def __init__(self) -> None:
        self.representations: list[dict[str, Any]] = []
        self.targets: list[list[tuple[dict[str, Any], int]]] = []
        self._index: dict[bytes, int] = {}

    def add(
        self, entity: dict[str, Any], representation: dict[str, Any], target_index: int
    ) -> None:
        fingerprint = orjson.dumps(representation, option=orjson.OPT_SORT_KEYS)
        index = self._index.get(fingerprint)
        if index is None:
            self._index[fingerprint] = len(self.representations)
            self.representations.append(representation)
            self.targets.append([(entity, target_index)])
        else:
            self.targets[index].append((entity, target_index))


def _objects_at(data: dict[str, Any], path: ResponsePathPattern) -> list[Any]:
    """Every non-null value at ``path`` ("@" steps into list items)."""
    current: list[Any] = [data]
    for step in path:
        following: list[Any] = []
        if step == "@":
            for value in current:
                if isinstance(value, list):
                    following.extend(item for item in value if item is not None)
        else:
            for value in current:
                if isinstance(value, dict):
                    child = value.get(step)
                    if child is not None:
                        following.append(child)
        current = following
    return current


def collect_entities(data: dict[str, Any], targets: tuple[EntityTarget, ...]) -> EntityBatch:
    batch = EntityBatch()
    for target_index, target in enumerate(targets):
        rules = {
            typename: (compiled_project(rule.selection), rule.typename)
            for typename, rule in target.rules.items()
        }
        for value in _objects_at(data, target.path):
            if not isinstance(value, dict):
                continue
            rule = rules.get(value.get("__typename"))  # type: ignore[arg-type]
            if rule is not None:
                representation = rule[0](value)
                if representation is not None:
                    representation["__typename"] = rule[1]
                    batch.add(value, representation, target_index)
    return batch


def _objects_with_ancestors(
    data: dict[str, Any], path: ResponsePathPattern, depths: set[int]
) -> list[tuple[Any, dict[int, Any]]]:
    """Like ``_objects_at``, with the values passed at the wanted ``depths`` of the path."""
    current: list[tuple[Any, dict[int, Any]]] = [(data, {0: data} if 0 in depths else {})]
    for depth, step in enumerate(path, 1):
        following: list[tuple[Any, dict[int, Any]]] = []
        for value, ancestors in current:
            if step == "@":
                children = [i for i in value if i is not None] if isinstance(value, list) else []
            elif isinstance(value, dict) and value.get(step) is not None:
                children = [value[step]]
            else:
                children = []
            for child in children:
                following.append(
                    (child, {**ancestors, depth: child} if depth in depths else ancestors)
                )
        current = following
    return current


_NOT_SET = object()


def _context_value(value: Any, selection: SubSelection, top: bool = True) -> Any:
    """The leaf a @fromContext selection selects on ``value`` (null when missing): fragments
    apply when they match its ``__typename``; lists give lists. At the top, ``_NOT_SET``
    when no part of the selection applies to ``value`` (another ancestor's may)."""
    if not isinstance(value, dict):
        return _NOT_SET if top else None
    for item in selection.items.values():
        if isinstance(item, SubFragment):
            if value.get("__typename") == item.type_condition:
                return _context_value(value, item.selection, False)
            continue
        if item.name == "__typename":
            continue
        found = value.get(item.key)
        if item.selection is None or found is None:
            return found
        if isinstance(found, list):
            return [
                _context_value(element, item.selection, False) if element is not None else None
                for element in found
            ]
        return _context_value(found, item.selection, False)
    return _NOT_SET if top else None


def _context_variables(
    rewrites: tuple[ContextRewrite, ...], ancestors: dict[int, Any]
) -> dict[str, Any]:
    """Each context variable's value: from the deepest of its ancestors that the planned
    selection applies to (rewrites come deepest first), null when none does."""
    variables: dict[str, Any] = {}
    for rewrite in rewrites:
        if variables.get(rewrite.variable, _NOT_SET) is not _NOT_SET:
            continue
        variables[rewrite.variable] = _context_value(
            ancestors.get(rewrite.depth), rewrite.selection
        )
    return {name: None if value is _NOT_SET else value for name, value in variables.items()}


def collect_contextual_entities(
    data: dict[str, Any], targets: tuple[EntityTarget, ...]
) -> list[tuple[dict[str, Any], EntityBatch]]:
    """Entities of a fetch with @fromContext arguments, one batch per distinct set of context
    values, each with the variables that carry those values."""
    batches: dict[bytes, tuple[dict[str, Any], EntityBatch]] = {}
    for target_index, target in enumerate(targets):
        depths = {rewrite.depth for rewrite in target.contexts}
        for value, ancestors in _objects_with_ancestors(data, target.path, depths):
            if not isinstance(value, dict):
                continue
            rule = target.rules.get(value.get("__typename"))  # type: ignore[arg-type]
            if rule is None:
                continue
            representation = project(value, rule.selection)
            if representation is None:
                continue
            representation["__typename"] = rule.typename
            variables = _context_variables(target.contexts, ancestors)
            fingerprint = orjson.dumps(variables, option=orjson.OPT_SORT_KEYS)
            found = batches.get(fingerprint)
            if found is None:
                found = batches[fingerprint] = (variables, EntityBatch())
            found[1].add(value, representation, target_index)
    return list(batches.values())


def locate(
    data: dict[str, Any], paths: tuple[ResponsePathPattern, ...], wanted: set[int]
) -> dict[int, list[str | int]]:
    """The concrete response path of each wanted object (by ``id``); only run for errors."""
    found: dict[int, list[str | int]] = {}
    trail: list[str | int] = []

    def walk(value: Any, path: ResponsePathPattern, depth: int) -> None:
        if value is None:
            return
        if depth == len(path):
            if id(value) in wanted and id(value) not in found:
                found[id(value)] = list(trail)
            return
        step = path[depth]
        if step == "@":
            if isinstance(value, list):
                for index, item in enumerate(value):
                    trail.append(index)
                    walk(item, path, depth + 1)
                    trail.pop()
        elif isinstance(value, dict):
            trail.append(step)
            walk(value.get(step), path, depth + 1)
            trail.pop()

    for path in paths:
        walk(data, path, 0)
    return found


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
