"""Compile entity projection and selective merging into Python functions per selection.

``project`` and ``merge_selected`` interpret a ``SubSelection`` for every object of every
response: on the benchmark query they ran about a thousand times per request and were the
largest part of the executor's CPU. The generated functions do exactly the same (tests hold
them together) with response keys as constants and no look at the selection at run time.

Compiled functions are cached by selection identity. The cache holds the selection itself, so
an id is never reused while its entry lives, and it is bounded: a plan evicted from the plan
cache costs at most one recompilation later.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from router.planner.selection import SubField, SubFragment, SubSelection

ProjectFunction = Callable[[dict[str, Any]], dict[str, Any] | None]
MergeFunction = Callable[[dict[str, Any], dict[str, Any]], None]

MAX_CACHED_SELECTIONS = 4096
_MISSING = object()
_projections: dict[int, tuple[SubSelection, ProjectFunction]] = {}
_merges: dict[int, tuple[SubSelection, MergeFunction]] = {}


def compiled_project(selection: SubSelection) -> ProjectFunction:
    """``representations.project`` specialised for ``selection``."""
    cached = _projections.get(id(selection))
    if cached is not None and cached[0] is selection:
        return cached[1]
    function = cast(ProjectFunction, _compile(_ProjectGenerator(), selection))
    _remember(_projections, selection, function)
    return function


def compiled_merge(selection: SubSelection) -> MergeFunction:
    """``merge.merge_selected`` specialised for ``selection``."""
    cached = _merges.get(id(selection))
    if cached is not None and cached[0] is selection:
        return cached[1]
    function = cast(MergeFunction, _compile(_MergeGenerator(), selection))
    _remember(_merges, selection, function)
    return function


def _remember(cache: dict[int, tuple[SubSelection, Any]], selection: SubSelection, fn: Any) -> None:
    if len(cache) >= MAX_CACHED_SELECTIONS:
        cache.clear()
    cache[id(selection)] = (selection, fn)


class _Generator:
    prefix = "f"

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.names: dict[int, str] = {}
        self.counter = 0

    def function(self, selection: SubSelection) -> str:
        known = self.names.get(id(selection))
        if known is not None:
            return known
        self.counter += 1
        name = f"{self.prefix}{self.counter}"
        self.names[id(selection)] = name
        self.lines.extend(self.body(name, selection))
        return name

    def body(self, name: str, selection: SubSelection) -> list[str]:
        raise NotImplementedError


def _compile(generator: _Generator, selection: SubSelection) -> Any:
    entry = generator.function(selection)
    namespace: dict[str, Any] = {
        "MISSING": _MISSING,
        "merge_list": _merge_list,
        "project_list": _project_list,
    }
    exec("\n".join(generator.lines), namespace)
    return namespace[entry]


class _ProjectGenerator(_Generator):
    """``project``: the fields of the selection taken from ``v``; None when one is missing."""

    prefix = "project"

    def body(self, name: str, selection: SubSelection) -> list[str]:
        code = [f"def {name}(v):", "    r = {}"]
        for item in selection.items.values():
            if isinstance(item, SubFragment):
                nested = self.function(item.selection)
                code += [
                    f"    if v.get('__typename') == {item.type_condition!r}:",
                    f"        n = {nested}(v)",
                    "        if n is None:",
                    "            return None",
                    "        r.update(n)",
                ]
                continue
            assert isinstance(item, SubField)
            key = repr(item.key)
            code += [
                f"    x = v.get({key}, MISSING)",
                "    if x is MISSING:",
                "        return None",
            ]
            if item.selection is None:
                code.append(f"    r[{key}] = x")
                continue
            nested = self.function(item.selection)
            code += [
                "    if x is None:",
                f"        r[{key}] = None",
                "    elif isinstance(x, list):",
                f"        n = project_list(x, {nested})",
                "        if n is None:",
                "            return None",
                f"        r[{key}] = n",
                "    elif isinstance(x, dict):",
                f"        n = {nested}(x)",
                "        if n is None:",
                "            return None",
                f"        r[{key}] = n",
                "    else:",
                "        return None",
            ]
        code.append("    return r")
        return code


def _project_list(values: list[Any], project: ProjectFunction) -> list[Any] | None:
    projected = [project(value) if isinstance(value, dict) else value for value in values]
    if any(value is None for value in projected):
        return None
    return projected


class _MergeGenerator(_Generator):
    """``merge_selected``: merge what the selection selects of ``s`` into ``t``, copying
    containers so nothing is shared between objects."""

    prefix = "merge"

    def body(self, name: str, selection: SubSelection) -> list[str]:
        code = [f"def {name}(t, s):"]
        for item in selection.items.values():
            if isinstance(item, SubFragment):
                code.append(f"    {self.function(item.selection)}(t, s)")
                continue
            key = repr(item.key)
            if item.selection is None:
                code += [f"    x = s.get({key}, MISSING)", "    if x is not MISSING:"]
                code.append(f"        t[{key}] = x")
                continue
            nested = self.function(item.selection)
            code += [
                f"    x = s.get({key}, MISSING)",
                "    if x is not MISSING:",
                "        if isinstance(x, dict):",
                f"            e = t.get({key})",
                "            if not isinstance(e, dict):",
                f"                e = t[{key}] = {{}}",
                f"            {nested}(e, x)",
                "        elif isinstance(x, list):",
                f"            e = t.get({key})",
                "            if not isinstance(e, list) or len(e) != len(x):",
                f"                e = t[{key}] = [None] * len(x)",
                f"            merge_list(e, x, {nested})",
                "        else:",
                f"            t[{key}] = x",
            ]
        if len(code) == 1:
            code.append("    pass")
        return code


def _merge_list(target: list[Any], source: list[Any], merge: MergeFunction) -> None:
    for index, value in enumerate(source):
        if isinstance(value, dict):
            existing = target[index]
            if not isinstance(existing, dict):
                existing = target[index] = {}
            merge(existing, value)
        elif isinstance(value, list):
            existing = target[index]
            if not isinstance(existing, list) or len(existing) != len(value):
                existing = target[index] = [None] * len(value)
            _merge_list(existing, value, merge)
        else:
            target[index] = value
