"""Which earlier fetches each fetch of a query plan reads from, so the executor can start every
fetch as soon as its inputs are merged instead of waiting for the whole previous wave.

A fetch reads the objects at its paths (their keys and ``@requires`` fields lie below them);
a root fetch writes its root fields, an entity fetch the top-level fields of each target's
selection below the target's path. Fetch ``X`` depends on an earlier-wave fetch ``Y`` when a
path ``X`` reads and a path ``Y`` writes overlap (one is a prefix of the other, ``@`` matching
only ``@``). Where writes cannot be told precisely (fields renamed back after aliasing) the
whole path counts as written; a fetch with ``@fromContext`` arguments reads ancestors off its
paths, so it waits for every earlier fetch. Fetches of one wave never depend on each other.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from router.planner.nodes import FetchNode, FlattenNode, ResponsePathPattern
from router.planner.selection import SubField, SubSelection

WaveFetch = FetchNode | FlattenNode


@dataclass(frozen=True, slots=True)
class Dataflow:
    """The fetches of a query plan's waves in wave order, and for each the indexes of the
    earlier fetches whose answers it reads (it may start once those are merged) and of the
    later fetches that read its answer."""

    fetches: tuple[WaveFetch, ...]
    inputs: tuple[tuple[int, ...], ...]
    # For each fetch, the later fetches that read from it (``inputs`` the other way round).
    dependents: tuple[tuple[int, ...], ...]


def dataflow(waves: Sequence[Sequence[WaveFetch]]) -> Dataflow | None:
    """The dataflow of these waves; None when it would run them exactly as waves do (every
    fetch reads from every fetch of the wave before it)."""
    fetches: list[WaveFetch] = []
    inputs: list[tuple[int, ...]] = []
    writes: list[list[ResponsePathPattern]] = []
    looser = False
    previous_wave: range = range(0)
    for wave in waves:
        first = len(fetches)
        for fetch in wave:
            reads = _reads(fetch)
            found = tuple(
                index
                for index in range(first)
                if any(_overlap(read, written) for read in reads for written in writes[index])
            )
            if not found and isinstance(fetch, FlattenNode):
                found = tuple(range(first))  # nothing known writes its paths: wait for all
            if not set(previous_wave) <= set(found):
                looser = True
            inputs.append(found)
            fetches.append(fetch)
        for fetch in wave:
            writes.append(written_paths(fetch))
        previous_wave = range(first, len(fetches))
    if not looser:
        return None
    dependents: list[list[int]] = [[] for _ in fetches]
    for index, found in enumerate(inputs):
        for earlier in found:
            dependents[earlier].append(index)
    return Dataflow(tuple(fetches), tuple(inputs), tuple(tuple(later) for later in dependents))


def _reads(fetch: WaveFetch) -> list[ResponsePathPattern]:
    if isinstance(fetch, FetchNode):
        return []  # a root fetch reads nothing of the response
    if fetch.context_batches is not None:
        return [()]  # context values come from ancestors anywhere above its paths
    return list(fetch.paths)


def written_paths(fetch: WaveFetch) -> list[ResponsePathPattern]:
    """The response paths a fetch writes (the whole path where it cannot be told precisely)."""
    if isinstance(fetch, FetchNode):
        if fetch.renames is not None:
            return [()]
        return [(key,) for key in _field_keys(fetch.selection)]
    if fetch.node.renames is not None:
        return list(fetch.paths)
    return [
        (*target.path, key) for target in fetch.targets for key in _field_keys(target.selection)
    ]


def _field_keys(selection: SubSelection) -> list[str]:
    """The response keys a selection writes at its own level, through its fragments."""
    keys: list[str] = []
    for item in selection.items.values():
        if isinstance(item, SubField):
            keys.append(item.key)
        else:
            keys.extend(_field_keys(item.selection))
    return keys


def _overlap(read: ResponsePathPattern, written: ResponsePathPattern) -> bool:
    length = min(len(read), len(written))
    return read[:length] == written[:length]
