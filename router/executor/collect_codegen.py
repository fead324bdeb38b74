"""Compile the entity collection of one entity fetch into a Python function.

``representations.collect_entities`` walks the response once per target path and builds and
JSON-encodes a representation for every object it finds, to recognise repeats: on the benchmark
query about 335 objects per request for 19 distinct representations, and the paths of one fetch
share long prefixes. The generated function does exactly the same (tests hold the two together):

- one walk over the response, visiting each path prefix the targets share once, with the
  response keys as constants; each target's objects keep document order and targets keep their
  order, so the representations come out in the same order;
- for a representation of plain fields (the usual ``__typename`` and key fields), a repeat is
  recognised by a tuple of its values when they are strings, integers or nulls (equal tuples
  then mean equal JSON), and the representation is only built for a new one; anything else is
  recognised by its JSON with sorted keys, as ``EntityBatch.add`` does.

Compiled functions are cached by the identity of the plan's targets (held by the entry, so an
id is never reused while it lives), bounded like ``merge_codegen``'s caches.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson

from router.executor.merge_codegen import compiled_project
from router.executor.representations import EntityBatch, collect_entities
from router.planner.nodes import EntityTarget, RepresentationRule
from router.planner.selection import SubField

CollectFunction = Callable[[dict[str, Any]], EntityBatch]

MAX_CACHED_COLLECTIONS = 1024
# Python refuses more than 20 statically nested blocks (each "@" step is a ``for``).
_MAX_LIST_STEPS = 16
_MISSING = object()
_collections: dict[int, tuple[tuple[EntityTarget, ...], CollectFunction]] = {}


def compiled_collect(targets: tuple[EntityTarget, ...]) -> CollectFunction:
    """``collect_entities`` specialised for these targets."""
    cached = _collections.get(id(targets))
    if cached is not None and cached[0] is targets:
        return cached[1]
    function = _compile(targets)
    if len(_collections) >= MAX_CACHED_COLLECTIONS:
        _collections.clear()
    _collections[id(targets)] = (targets, function)
    return function


def _compile(targets: tuple[EntityTarget, ...]) -> CollectFunction:
    if any(target.path.count("@") > _MAX_LIST_STEPS for target in targets):
        return lambda data: collect_entities(data, targets)
    namespace: dict[str, Any] = {
        "EntityBatch": EntityBatch,
        "MISSING": _MISSING,
        "dumps": orjson.dumps,
        "SORT_KEYS": orjson.OPT_SORT_KEYS,
        "SIMPLE": frozenset((str, int, type(None))),
    }
    lines: list[str] = []
    rule_tables: list[str] = []
    for target_index, target in enumerate(targets):
        entries: list[str] = []
        for typename, rule in target.rules.items():
            name = f"add_{target_index}_{len(entries)}"
            lines += _add_function(name, rule, target_index, namespace)
            entries.append(f"{typename!r}: {name}")
        rule_tables.append(f"rules_{target_index} = {{{', '.join(entries)}}}")
    lines += rule_tables
    lines += _walk_function([target.path for target in targets])
    found = [f"found_{index}" for index in range(len(targets))]
    lines.append("def collect(data):")
    lines += [f"    {name} = []" for name in found]
    lines.append(f"    walk(data, {', '.join(name + '.append' for name in found)})")
    lines += [
        "    batch = EntityBatch()",
        "    index = batch._index",
        "    reps = batch.representations",
        "    owners = batch.targets",
    ]
    for target_index, name in enumerate(found):
        lines += [
            f"    for v in {name}:",
            f"        add = rules_{target_index}.get(v.get('__typename'))",
            "        if add is not None:",
            "            add(v, index, reps, owners)",
        ]
    lines.append("    return batch")
    exec("\n".join(lines), namespace)
    function: CollectFunction = namespace["collect"]
    return function


def _add_function(
    name: str, rule: RepresentationRule, target_index: int, namespace: dict[str, Any]
) -> list[str]:
    """``add(value, index, reps, owners)``: the object's representation by ``rule``, added
    to the batch when new, else the object joins the representation's owners."""
    items = list(rule.selection.items.values())
    owner = f"(v, {target_index})"
    found = [
        "    i = index.get(k)",
        "    if i is not None:",
        f"        owners[i].append({owner})",
        "        return",
    ]
    added = ["    index[k] = len(reps)", "    reps.append(r)", f"    owners.append([{owner}])"]
    fields = [item for item in items if isinstance(item, SubField) and item.selection is None]
    if len(fields) != len(items):
        project = f"{name}_project"
        namespace[project] = compiled_project(rule.selection)
        return [
            f"def {name}(v, index, reps, owners):",
            f"    r = {project}(v)",
            "    if r is None:",
            "        return",
            f"    r['__typename'] = {rule.typename!r}",
            "    k = dumps(r, option=SORT_KEYS)",
            *found,
            *added,
        ]
    keys = [item.key for item in fields]
    values = {key: f"x{position}" for position, key in enumerate(keys) if key != "__typename"}
    # The object's own __typename is there (its rule was found by it) and replaced by the rule's.
    code = [f"def {name}(v, index, reps, owners):"]
    for key, variable in values.items():
        code += [
            f"    {variable} = v.get({key!r}, MISSING)",
            f"    if {variable} is MISSING:",
            "        return",
        ]
    entries = [
        f"{key!r}: {rule.typename!r}" if key == "__typename" else f"{key!r}: {values[key]}"
        for key in keys
    ]
    if "__typename" not in keys:
        entries.append(f"'__typename': {rule.typename!r}")
    literal = "{" + ", ".join(entries) + "}"
    ordered = sorted(values)  # a representation's signature: its type and field names
    signature = "\0".join([rule.typename, *ordered])
    simple = " and ".join(f"{values[key]}.__class__ in SIMPLE" for key in ordered) or "True"
    code += [
        f"    if {simple}:",
        f"        k = ({signature!r}, {''.join(values[key] + ', ' for key in ordered)})",
        *["    " + line for line in found],
        f"        r = {literal}",
        "    else:",
        f"        r = {literal}",
        "        k = dumps(r, option=SORT_KEYS)",
        *["    " + line for line in found],
        *added,
    ]
    return code


def _walk_function(paths: list[tuple[str, ...]]) -> list[str]:
    """``walk(data, found_0, ...)``: every non-null object at each path, to its ``found``."""
    trie: dict[str, Any] = {}
    for index, path in enumerate(paths):
        node = trie
        for step in path:
            node = node.setdefault(step, {})
        node.setdefault("", []).append(index)
    arguments = ", ".join(f"found_{index}" for index in range(len(paths)))
    lines = [f"def walk(v0, {arguments}):"]
    _walk_node(trie, 0, "    ", lines)
    return lines


def _walk_node(node: dict[str, Any], depth: int, indent: str, lines: list[str]) -> None:
    """Nulls fall out of the class checks: a path step into ``None`` finds nothing."""
    value = f"v{depth}"
    child = f"v{depth + 1}"
    ends: list[int] = node.get("", [])
    keyed = [step for step in node if step not in ("", "@")]
    if ends or keyed:
        lines.append(f"{indent}if {value}.__class__ is dict:")
        lines += [f"{indent}    found_{index}({value})" for index in ends]
        for step in keyed:
            lines.append(f"{indent}    {child} = {value}.get({step!r})")
            _walk_node(node[step], depth + 1, indent + "    ", lines)
    if "@" in node:
        lines += [f"{indent}if {value}.__class__ is list:", f"{indent}    for {child} in {value}:"]
        _walk_node(node["@"], depth + 1, indent + "        ", lines)
