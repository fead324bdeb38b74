"""A seeded generator of small subgraph sets that exercise satisfiability.

An entity ``T`` (keys ``id`` or ``owner { id }``, some not resolvable) spread over two or three
subgraphs, with fields each subgraph may resolve, provide through a root field's @provides, or
require from others (nested ``owner { id }`` included); ``Owner`` is a value type or an entity.
Every field is @shareable, so most sets fail, if at all, on satisfiability.
"""

from __future__ import annotations

import random

from router.composition import SubgraphSource

_HEAD = (
    'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3",'
    ' import: ["@key", "@shareable", "@external", "@requires", "@provides"])\n'
)
# How a subgraph has a field of T: not at all, resolves it, or @external for a @provides/@requires.
_MODES = ("none", "local", "provided", "required")


def random_satisfiability_set(seed: int) -> list[SubgraphSource]:
    rng = random.Random(seed)
    names = ["a", "b", "c"][: rng.randint(2, 3)]
    owner_is_entity = rng.random() < 0.5
    # Some subgraph resolves x and owner (else EXTERNAL_MISSING_ON_BASE).
    x_base, owner_base = rng.choice(names), rng.choice(names)
    sources = []
    for index, name in enumerate(names):
        x_mode = "local" if name == x_base else rng.choice(_MODES)
        owner_mode = "local" if name == owner_base else rng.choice(_MODES)
        sdl = _subgraph(
            rng, name, x_mode, owner_mode, first=index == 0, owner_is_entity=owner_is_entity
        )
        sources.append(SubgraphSource(name, f"http://{name}.test/graphql", _HEAD + sdl))
    return sources


def _subgraph(
    rng: random.Random,
    name: str,
    x_mode: str,
    owner_mode: str,
    *,
    first: bool,
    owner_is_entity: bool,
) -> str:
    root = first or rng.random() < 0.5
    if not root:
        # @provides needs a root field to sit on.
        x_mode = "local" if x_mode == "provided" else x_mode
        owner_mode = "local" if owner_mode == "provided" else owner_mode
    fields = ["id: ID! @shareable", f"only_{name}: Int"]
    provides: list[str] = []
    if x_mode == "local":
        fields.append("x: Int @shareable")
    elif x_mode != "none":
        fields.append("x: Int @external")
        if x_mode == "provided":
            provides.append("x")
        else:
            fields.append(f'needs_x_{name}: Int @requires(fields: "x")')
    if owner_mode == "local":
        fields.append("owner: Owner @shareable")
    elif owner_mode != "none":
        fields.append("owner: Owner @external")
        if owner_mode == "provided":
            provides.append("owner { id }")
        else:
            fields.append(f'needs_owner_{name}: Int @requires(fields: "owner {{ id }}")')
    keys = ['"id"']
    if owner_mode != "none" and rng.random() < 0.4:
        keys = rng.choice([['"owner { id }"'], ['"id"', '"owner { id }"']])
    resolvable = "" if rng.random() < 0.75 else ", resolvable: false"
    applied = " ".join(f"@key(fields: {key}{resolvable})" for key in keys)
    parts = [f"type T {applied} {{ {' '.join(fields)} }}"]
    if root:
        provided = f' @provides(fields: "{" ".join(provides)}")' if provides else ""
        parts.insert(0, f"type Query {{ t_{name}: T{provided} }}")
    if owner_mode != "none":
        owner_fields = ["id: ID @shareable"]
        if rng.random() < 0.5:
            owner_fields.append("name: String @shareable")
        if owner_is_entity:
            key_resolvable = "" if rng.random() < 0.75 else ", resolvable: false"
            header = f'type Owner @key(fields: "id"{key_resolvable})'
        else:
            header = "type Owner @shareable"
        parts.append(f"{header} {{ {' '.join(owner_fields)} }}")
    return "\n".join(parts) + "\n"
