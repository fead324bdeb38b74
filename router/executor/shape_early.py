"""Shape parts of a query's answer while its other fetches are still in flight.

Shaping the whole answer after the last fetch puts all of it on the critical path, although
most parts were complete long before: on the dashboard query the wallets, the seller's
products and the alerts are done while the last entity fetch (ticket orders, say) is still
out. With dataflow scheduling (``router.planner.dataflow``) the executor knows when each fetch
has been merged, and each fetch's written paths say which parts of the answer it can change.

The parts are the fields of the root object and the fields of the root's single objects (such
as ``me``), each shaped as soon as every fetch writing at or below it is done, by the same
generated code the fast shaper uses for that field (``compile_fast_field_values``). After the
last fetch, the root object is assembled from those parts, shaping only the ones not done yet.
The result is the fast shaper's, field for field: a part is shaped from data no later fetch
writes into. Wherever the fast shaper would give up (a null in a non-null position, an enum
value the API lacks), ``finish`` gives None and the whole answer is shaped again by the
tracking shaper, as it would have been anyway.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from router.executor.shape import COMPOSITE, TYPENAME, ShapeField, ShapeSelection
from router.executor.shape_codegen import (
    FieldValueFunction,
    NeedsErrors,
    compile_fast_field_values,
)
from router.planner.dataflow import Dataflow, written_paths
from router.planner.nodes import ResponsePathPattern

_MISSING = object()


class _Part:
    """A field of the root object, or of one of its single objects, shaped on its own."""

    __slots__ = ("index", "parent_keys", "value")

    def __init__(self, index: int, parent_keys: tuple[str, ...], value: FieldValueFunction) -> None:
        self.index = index
        self.parent_keys = parent_keys  # storage keys from the root to the field's parent
        self.value = value


class _SpineField:
    """How the assembly builds one field of the root object or of a root single object."""

    __slots__ = ("children", "key", "non_null", "part", "storage_key", "typename", "value")

    def __init__(
        self,
        field: ShapeField,
        typename: str,
        value: FieldValueFunction | None,
        part: _Part | None,
        children: tuple[_SpineField, ...] | None = None,
    ) -> None:
        self.key = field.response_key
        self.storage_key = field.storage_key
        self.non_null = field.non_null
        self.typename = typename if field.kind == TYPENAME else None
        self.value = value
        self.part = part
        self.children = children  # a single object assembled from its own parts


class EarlyShape:
    """The parts of one planned variant's answer, and which of its dataflow's fetches write
    into each. Compiled once per variant (``compile_early_shape``)."""

    __slots__ = ("dataflow", "parts", "parts_by_fetch", "spine", "writers")

    def __init__(
        self,
        dataflow: Dataflow,
        spine: tuple[_SpineField, ...],
        parts: tuple[_Part, ...],
        writers: tuple[int, ...],
        parts_by_fetch: tuple[tuple[_Part, ...], ...],
    ) -> None:
        self.dataflow = dataflow
        self.spine = spine
        self.parts = parts
        self.writers = writers  # per part: how many fetches write at or below it
        self.parts_by_fetch = parts_by_fetch

    def start(self) -> EarlyShaping:
        return EarlyShaping(self)


class EarlyShaping:
    """One execution's parts: shaped as their fetches complete, assembled at the end."""

    __slots__ = ("_finished", "_pending", "_plan", "_ready", "_shaped", "failed")

    def __init__(self, plan: EarlyShape) -> None:
        self._plan = plan
        self._pending = list(plan.writers)
        self._shaped: list[Any] = [_MISSING] * len(plan.parts)
        self._ready: list[_Part] = []
        self._finished = False
        self.failed = False  # a part needs errors: the tracking shaper shapes everything

    @property
    def shaped_parts(self) -> int:
        """How many parts are shaped so far."""
        return sum(1 for value in self._shaped if value is not _MISSING)

    def fetch_done(self, dataflow: Dataflow, index: int, data: dict[str, Any]) -> None:
        """Fetch ``index`` of ``dataflow`` has been merged into ``data``: the parts no fetch
        still in flight writes into are shaped two event loop turns later, once the fetches
        that waited for this one have sent their requests (so the shaping overlaps them
        instead of delaying them)."""
        if dataflow is not self._plan.dataflow:
            return
        pending = self._pending
        ready = self._ready
        was_empty = not ready
        for part in self._plan.parts_by_fetch[index]:
            pending[part.index] -= 1
            if not pending[part.index]:
                ready.append(part)
        if was_empty and ready:
            loop = asyncio.get_running_loop()
            loop.call_soon(loop.call_soon, self._shape_ready, data)

    def _shape_ready(self, data: dict[str, Any]) -> None:
        ready, self._ready = self._ready, []
        if self._finished or self.failed:
            return
        for part in ready:
            parent: Any = data
            for key in part.parent_keys:
                parent = parent.get(key)
                if parent.__class__ is not dict:
                    break
            else:
                try:
                    self._shaped[part.index] = part.value(parent)
                except NeedsErrors:
                    self.failed = True
                    return

    def finish(self, data: dict[str, Any]) -> dict[str, Any] | None:
        """The shaped answer, as the fast shaper gives it (parts not shaped yet are shaped
        now); None where that one would give up (the answer needs errors: the tracking shaper
        shapes it all)."""
        self._finished = True
        if self.failed:
            return None
        try:
            return self._object(data, self._plan.spine)
        except NeedsErrors:
            return None

    def _object(self, raw: dict[str, Any], fields: tuple[_SpineField, ...]) -> dict[str, Any]:
        shaped = self._shaped
        result: dict[str, Any] = {}
        for field in fields:
            if field.typename is not None:
                result[field.key] = field.typename
                continue
            part = field.part
            if part is not None:
                value = shaped[part.index]
                if value is not _MISSING:
                    result[field.key] = value
                    continue
            if field.children is None:
                assert field.value is not None
                result[field.key] = field.value(raw)
                continue
            child = raw.get(field.storage_key)
            if child.__class__ is dict:
                result[field.key] = self._object(child, field.children)
            elif field.non_null:
                raise NeedsErrors
            else:
                result[field.key] = None
        return result


def compile_early_shape(selection: ShapeSelection, dataflow: Dataflow) -> EarlyShape | None:
    """The parts of the answer ``selection`` shapes, for the fetches of ``dataflow``; None when
    shaping early cannot apply (an abstract root, fields authorization removed)."""
    if selection.static_type is None:
        return None
    writes = [written_paths(fetch) for fetch in dataflow.fetches]
    parts: list[_Part] = []
    writers: list[int] = []
    by_fetch: list[list[_Part]] = [[] for _ in dataflow.fetches]

    def part_for(path: tuple[str, ...], value: FieldValueFunction) -> _Part | None:
        found = [index for index, paths in enumerate(writes) if _writes_into(paths, path)]
        if not found:
            return None  # no fetch writes it (introspection, say): shaped at the end
        part = _Part(len(parts), path[:-1], value)
        parts.append(part)
        writers.append(len(found))
        for index in found:
            by_fetch[index].append(part)
        return part

    def spine(
        fields: tuple[ShapeField, ...], typename: str, parent: tuple[str, ...], nested: bool
    ) -> tuple[_SpineField, ...] | None:
        values = compile_fast_field_values(fields)
        if values is None:
            return None
        result: list[_SpineField] = []
        for field, value in zip(fields, values, strict=True):
            path = (*parent, field.storage_key)
            inner = field.selection
            if (
                nested
                and field.kind == COMPOSITE
                and not field.item_non_null
                and inner is not None
                and inner.static_type is not None
            ):
                children = spine(inner.by_type[inner.static_type], inner.static_type, path, False)
                if children is None:
                    return None
                result.append(_SpineField(field, typename, value, None, children))
                continue
            part = None if value is None else part_for(path, value)
            result.append(_SpineField(field, typename, value, part))
        return tuple(result)

    root = spine(selection.by_type[selection.static_type], selection.static_type, (), True)
    if root is None or not parts:
        return None
    return EarlyShape(
        dataflow,
        root,
        tuple(parts),
        tuple(writers),
        tuple(tuple(fetch_parts) for fetch_parts in by_fetch),
    )


def _writes_into(written: Sequence[ResponsePathPattern], path: tuple[str, ...]) -> bool:
    """Whether a fetch writing these paths may change anything at or below ``path``."""
    for pattern in written:
        length = min(len(pattern), len(path))
        if tuple(pattern[:length]) == path[:length]:
            return True
    return False
