"""Shape parts of a query's answer while its other fetches are still in flight.

Shaping the whole answer after the last fetch puts all of it on the critical path, although
most parts were complete long before: on the dashboard query the wallets, the seller's
products and the alerts are done while the last entity fetch (ticket orders, say) is still
out. With dataflow scheduling (``router.planner.dataflow``) the executor knows when each fetch
has been merged, and each fetch's written paths say which parts of the answer it can change.

The parts are the fields of the root object and the fields of the root's single objects (such
as ``me``), each shaped as soon as every fetch writing at or below it is done, by the same
generated code the fast shaper uses for that field (``compile_fast_field_values``). An entity
fetch that only completes objects strictly inside a part (the orders of ``me.tickets``) is not
waited for: the part is shaped with those fields left as holes (``compile_holed_field_value``),
filled once that fetch has answered. After the last fetch, the root object is assembled from
those parts, shaping only the ones not done yet and filling the holes left.
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
    Hole,
    HoledValueFunction,
    HoleTree,
    NeedsErrors,
    compile_fast_field_values,
    compile_holed_field_value,
)
from router.planner.dataflow import Dataflow, WaveFetch, written_paths
from router.planner.nodes import FlattenNode, ResponsePathPattern

_MISSING = object()


class _Part:
    """A field of the root object, or of one of its single objects, shaped on its own.

    With ``holed``, the part may be shaped before its ``hole_writers`` (entity fetches that
    only complete objects inside it, such as the orders of ``me.tickets``) have answered: the
    fields they write into are left as holes (one slot per writer), shaped once each has.
    """

    __slots__ = ("hole_writers", "holed", "index", "parent_keys", "path", "value")

    def __init__(
        self,
        index: int,
        path: tuple[str, ...],
        value: FieldValueFunction,
        holed: HoledValueFunction | None = None,
        hole_writers: tuple[int, ...] = (),
    ) -> None:
        self.index = index
        self.path = path  # storage keys from the root to the field
        self.parent_keys = path[:-1]
        self.value = value
        self.holed = holed
        self.hole_writers = hole_writers


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

    __slots__ = ("dataflow", "holes_by_fetch", "parts", "parts_by_fetch", "spine", "writers")

    def __init__(
        self,
        dataflow: Dataflow,
        spine: tuple[_SpineField, ...],
        parts: tuple[_Part, ...],
        writers: tuple[int, ...],
        parts_by_fetch: tuple[tuple[_Part, ...], ...],
        holes_by_fetch: tuple[tuple[tuple[_Part, int], ...], ...],
    ) -> None:
        self.dataflow = dataflow
        self.spine = spine
        self.parts = parts
        # per part: how many fetches it waits for (those writing at or below it, but its
        # hole writers)
        self.writers = writers
        self.parts_by_fetch = parts_by_fetch
        self.holes_by_fetch = holes_by_fetch  # per fetch: the (part, slot) of its holes

    def start(self) -> EarlyShaping:
        return EarlyShaping(self)


class EarlyShaping:
    """One execution's parts: shaped as their fetches complete, assembled at the end."""

    __slots__ = (
        "_fetched",
        "_fills",
        "_finished",
        "_holes",
        "_pending",
        "_plan",
        "_ready",
        "_scheduled",
        "_shaped",
        "failed",
    )

    def __init__(self, plan: EarlyShape) -> None:
        self._plan = plan
        self._pending = list(plan.writers)
        self._fetched = [False] * len(plan.dataflow.fetches)
        self._shaped: list[Any] = [_MISSING] * len(plan.parts)
        # per part shaped with holes: per slot, its holes (None once filled)
        self._holes: list[list[list[Hole] | None] | None] = [None] * len(plan.parts)
        self._ready: list[_Part] = []
        self._fills: list[tuple[_Part, int]] = []
        self._scheduled = False
        self._finished = False
        self.failed = False  # a part needs errors: the tracking shaper shapes everything

    @property
    def shaped_parts(self) -> int:
        """How many parts are shaped so far (holes filled or not)."""
        return sum(1 for value in self._shaped if value is not _MISSING)

    def fetch_done(self, dataflow: Dataflow, index: int, data: dict[str, Any]) -> None:
        """Fetch ``index`` of ``dataflow`` has been merged into ``data``: the parts no fetch
        still in flight writes into (but into their holes) are shaped, and the holes this
        fetch wrote into filled, two event loop turns later, once the fetches that waited for
        this one have sent their requests (so the shaping overlaps them instead of delaying
        them)."""
        plan = self._plan
        if dataflow is not plan.dataflow:
            return
        self._fetched[index] = True
        pending = self._pending
        for part in plan.parts_by_fetch[index]:
            pending[part.index] -= 1
            if not pending[part.index]:
                self._ready.append(part)
        for part, slot in plan.holes_by_fetch[index]:
            if self._holes[part.index] is not None:
                self._fills.append((part, slot))
        if not self._scheduled and (self._ready or self._fills):
            self._scheduled = True
            loop = asyncio.get_running_loop()
            loop.call_soon(loop.call_soon, self._shape_ready, data)

    def _shape_ready(self, data: dict[str, Any]) -> None:
        self._scheduled = False
        ready, self._ready = self._ready, []
        fills, self._fills = self._fills, []
        if self._finished or self.failed:
            return
        try:
            for part in ready:
                parent: Any = data
                for key in part.parent_keys:
                    parent = parent.get(key)
                    if parent.__class__ is not dict:
                        break
                else:
                    self._shape(part, parent)
            for part, slot in fills:
                self._fill(part, slot)
        except NeedsErrors:
            self.failed = True

    def _shape(self, part: _Part, parent: dict[str, Any]) -> None:
        fetched = self._fetched
        if part.holed is None or all(fetched[writer] for writer in part.hole_writers):
            self._shaped[part.index] = part.value(parent)
            return
        slots: list[list[Hole]] = [[] for _ in part.hole_writers]
        self._shaped[part.index] = part.holed(parent, slots)
        self._holes[part.index] = list(slots)
        for slot, writer in enumerate(part.hole_writers):
            if fetched[writer]:
                self._fill(part, slot)

    def _fill(self, part: _Part, slot: int) -> None:
        slots = self._holes[part.index]
        holes = None if slots is None else slots[slot]
        if slots is None or holes is None:
            return
        for shaped, key, raw, value in holes:
            shaped[key] = value(raw)
        slots[slot] = None

    def finish(self, data: dict[str, Any]) -> dict[str, Any] | None:
        """The shaped answer, as the fast shaper gives it (parts not shaped yet are shaped
        now, holes left are filled); None where that one would give up (the answer needs
        errors: the tracking shaper shapes it all)."""
        self._finished = True
        if self.failed:
            return None
        try:
            for part in self._plan.parts:
                slots = self._holes[part.index]
                if slots is not None:
                    for slot in range(len(slots)):
                        self._fill(part, slot)
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
    holes_by_fetch: list[list[tuple[_Part, int]]] = [[] for _ in dataflow.fetches]

    def part_for(
        path: tuple[str, ...], field: ShapeField, value: FieldValueFunction
    ) -> _Part | None:
        found = [index for index, paths in enumerate(writes) if _writes_into(paths, path)]
        if not found:
            return None  # no fetch writes it (introspection, say): shaped at the end
        holed, hole_writers = _holes_for(field, path, found, dataflow.fetches)
        part = _Part(len(parts), path, value, holed, hole_writers)
        parts.append(part)
        waited = [index for index in found if index not in hole_writers]
        writers.append(len(waited))
        for index in waited:
            by_fetch[index].append(part)
        for slot, index in enumerate(hole_writers):
            holes_by_fetch[index].append((part, slot))
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
            part = None if value is None else part_for(path, field, value)
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
        tuple(tuple(fetch_holes) for fetch_holes in holes_by_fetch),
    )


def _writes_into(written: Sequence[ResponsePathPattern], path: tuple[str, ...]) -> bool:
    """Whether a fetch writing these paths may change anything at or below ``path``."""
    for pattern in written:
        length = min(len(pattern), len(path))
        if tuple(pattern[:length]) == path[:length]:
            return True
    return False


def _holes_for(
    field: ShapeField,
    path: tuple[str, ...],
    writers: list[int],
    fetches: tuple[WaveFetch, ...],
) -> tuple[HoledValueFunction | None, tuple[int, ...]]:
    """The part at ``path`` shaped with holes for those of its ``writers`` that are entity
    fetches completing objects strictly inside it (one slot each), and those writers; no
    holes where that cannot be told (a writer at or above the part, renamed fields, context
    arguments, holes in holes, abstract types on the way)."""
    tree: HoleTree = {}
    hole_writers: list[int] = []
    for index in writers:
        chains = _hole_chains(fetches[index], path)
        if chains is None:
            continue
        slot = len(hole_writers)
        for chain in chains:
            if not _resolves(field, chain) or not _add_hole(tree, chain, slot):
                return None, ()
        hole_writers.append(index)
    if not hole_writers:
        return None, ()
    holed = compile_holed_field_value(field, tree)
    return (None, ()) if holed is None else (holed, tuple(hole_writers))


def _hole_chains(fetch: WaveFetch, path: tuple[str, ...]) -> list[tuple[str, ...]] | None:
    """The storage keys from the part down to each object ``fetch`` completes inside it;
    None when it may write anything else of the part."""
    if not isinstance(fetch, FlattenNode) or fetch.context_batches is not None:
        return None
    if fetch.node.renames is not None:
        return None
    chains = []
    for target in fetch.targets:
        target_path = tuple(target.path)
        shared = min(len(target_path), len(path))
        if target_path[:shared] != path[:shared]:
            continue  # elsewhere in the answer
        chain = tuple(key for key in target_path[len(path) :] if key != "@")
        if not chain:
            return None  # it completes the part itself, or an object above it
        chains.append(chain)
    return chains or None


def _resolves(field: ShapeField, chain: tuple[str, ...]) -> bool:
    """Whether each key of ``chain`` is an object field below ``field``, of one concrete
    type all the way (else the shaping code would not leave the hole)."""
    current = field
    for key in chain:
        selection = current.selection
        if current.kind != COMPOSITE or selection is None or selection.static_type is None:
            return False
        found = [f for f in selection.by_type[selection.static_type] if f.storage_key == key]
        if len(found) != 1 or found[0].kind != COMPOSITE:
            return False
        current = found[0]
    return True


def _add_hole(tree: HoleTree, chain: tuple[str, ...], slot: int) -> bool:
    node = tree
    for key in chain[:-1]:
        below = node.setdefault(key, {})
        if isinstance(below, int):
            return False  # inside another writer's hole
        node = below
    present = node.get(chain[-1])
    if present is not None and present != slot:
        return False  # another writer's hole, or holes below it
    node[chain[-1]] = slot
    return True
