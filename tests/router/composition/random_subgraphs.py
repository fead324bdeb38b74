"""A seeded generator of small federated subgraph sets for differential tests.

Most generated sets compose; some break a rule on purpose (sharing without @shareable,
mismatched types, enums used both ways), so both verdicts and outputs get compared.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from router.composition import SubgraphSource

_SCALARS = ("Int", "String", "Boolean", "Float", "ID")


@dataclass
class _Subgraph:
    name: str
    imports: set[str] = field(default_factory=lambda: {"@key"})
    types: dict[str, list[str]] = field(default_factory=dict)  # type header -> field lines
    query_fields: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)

    def sdl(self) -> str:
        imports = ", ".join(f'"{name}"' for name in sorted(self.imports))
        parts = [
            'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3",'
            f" import: [{imports}])"
        ]
        if self.query_fields:
            parts.append("type Query {\n  " + "\n  ".join(self.query_fields) + "\n}")
        for header, lines in self.types.items():
            parts.append(header + " {\n  " + "\n  ".join(lines) + "\n}")
        parts += self.extra
        return "\n".join(parts) + "\n"


def random_subgraph_set(seed: int) -> list[SubgraphSource]:
    rng = random.Random(seed)
    subgraphs = [_Subgraph(name) for name in ("alpha", "beta", "gamma")[: rng.randint(2, 3)]]
    entities = [f"Entity{index}" for index in range(rng.randint(1, 3))]
    for entity in entities:
        _add_entity(rng, entity, subgraphs, entities)
    if rng.random() < 0.6:
        _add_value_type(rng, subgraphs)
    if rng.random() < 0.6:
        _add_enum(rng, subgraphs)
    if rng.random() < 0.3:
        _add_interface(rng, subgraphs, entities)
    if rng.random() < 0.4:
        _add_union(rng, subgraphs)
    if rng.random() < 0.4:
        _add_input(rng, subgraphs)
    if rng.random() < 0.3:
        _add_shared_root_field(rng, subgraphs)
    if rng.random() < 0.3:
        _add_override(rng, subgraphs)
    if rng.random() < 0.3:
        _add_provides(rng, subgraphs)
    if rng.random() < 0.3:
        _add_interface_object(rng, subgraphs)
    if rng.random() < 0.3:
        _add_visibility(rng, subgraphs)
    for subgraph in subgraphs:
        if not subgraph.query_fields and rng.random() < 0.5:
            subgraph.query_fields.append(f"ping{subgraph.name.capitalize()}: String")
    return [
        SubgraphSource(s.name, f"http://{s.name}.test/graphql", s.sdl())
        for s in subgraphs
        if s.types or s.query_fields or s.extra
    ]


def _add_entity(
    rng: random.Random, entity: str, subgraphs: list[_Subgraph], entities: list[str]
) -> None:
    owner = rng.choice(subgraphs)
    key = rng.choice(["id", "id", "id sku"])
    key_lines = ["id: ID!"] + (["sku: String!"] if "sku" in key else [])
    owned = [
        f"{name}: {rng.choice(_SCALARS)}" for name in ("name", "size", "rank")[: rng.randint(1, 3)]
    ]
    if rng.random() < 0.4:
        owned.append(f"related: {rng.choice(entities)}")
    owner.types[f'type {entity} @key(fields: "{key}")'] = key_lines + owned
    owner.query_fields.append(f"{entity[0].lower()}{entity[1:]}s: [{entity}!]!")
    for other in subgraphs:
        if other is owner:
            continue
        role = rng.choice(["extend", "stub", "requires", "share", "none"])
        if role == "none":
            continue
        if role == "stub":
            other.types[f'type {entity} @key(fields: "{key}", resolvable: false)'] = key_lines
            other.query_fields.append(f"some{entity}{other.name.capitalize()}: {entity}")
        elif role == "extend":
            other.types[f'type {entity} @key(fields: "{key}")'] = [
                *key_lines,
                f"{other.name}Score: Int",
            ]
        elif role == "requires":
            other.imports |= {"@external", "@requires"}
            first = owned[0].split(":")[0]
            field_type = owned[0].split(": ")[1]
            other.types[f'type {entity} @key(fields: "{key}")'] = [
                *key_lines,
                f"{first}: {field_type} @external",
                f'{other.name}Derived: String @requires(fields: "{first}")',
            ]
        else:  # share a field, sometimes forgetting @shareable
            shareable = rng.random() < 0.8
            if shareable:
                other.imports.add("@shareable")
                owner.imports.add("@shareable")
            marker = " @shareable" if shareable else ""
            name, field_type = owned[0].split(": ")
            owner.types[f'type {entity} @key(fields: "{key}")'][len(key_lines)] = (
                f"{name}: {field_type}{marker}"
            )
            other_type = field_type if rng.random() < 0.8 else rng.choice(_SCALARS)
            other.types[f'type {entity} @key(fields: "{key}")'] = [
                *key_lines,
                f"{name}: {other_type}{'!' if rng.random() < 0.3 else ''}{marker}",
            ]


def _add_value_type(rng: random.Random, subgraphs: list[_Subgraph]) -> None:
    users = rng.sample(subgraphs, rng.randint(1, len(subgraphs)))
    for subgraph in users:
        subgraph.imports.add("@shareable")
        lines = ["amount: Int!", "currency: String!"]
        if rng.random() < 0.3:
            lines[0] = "amount: Int"
        subgraph.types["type Money @shareable"] = lines
        subgraph.query_fields.append(f"price{subgraph.name.capitalize()}: Money")


def _add_enum(rng: random.Random, subgraphs: list[_Subgraph]) -> None:
    users = rng.sample(subgraphs, rng.randint(1, len(subgraphs)))
    for subgraph in users:
        values = ["LOW", "HIGH"] + (["EXTREME"] if rng.random() < 0.5 else [])
        subgraph.extra.append("enum Level { " + " ".join(values) + " }")
        usage = rng.choice(["output", "input", "both"])
        capital = subgraph.name.capitalize()
        if usage in ("output", "both"):
            subgraph.query_fields.append(f"level{capital}: Level")
        if usage in ("input", "both"):
            subgraph.query_fields.append(f"byLevel{capital}(level: Level): Int")


def _add_interface(rng: random.Random, subgraphs: list[_Subgraph], entities: list[str]) -> None:
    subgraph = rng.choice(subgraphs)
    implementations = [
        header
        for header in subgraph.types
        if header.startswith("type Entity") and "resolvable: false" not in header
    ]
    if not implementations:
        return
    subgraph.extra.append("interface Node { id: ID! }")
    for header in implementations:
        name = header.split()[1]
        subgraph.types[header.replace(f"type {name}", f"type {name} implements Node")] = (
            subgraph.types.pop(header)
        )
    subgraph.query_fields.append(f"node{subgraph.name.capitalize()}(id: ID!): Node")


def _entity_headers(subgraph: _Subgraph, *, resolvable: bool = True) -> list[str]:
    return [
        header
        for header in subgraph.types
        if header.startswith("type Entity")
        and (not resolvable or "resolvable: false" not in header)
    ]


def _type_name(header: str) -> str:
    return header.split()[1]


def _add_union(rng: random.Random, subgraphs: list[_Subgraph]) -> None:
    for subgraph in rng.sample(subgraphs, rng.randint(1, len(subgraphs))):
        members = sorted({_type_name(header) for header in _entity_headers(subgraph)})
        if not members:
            continue
        chosen = rng.sample(members, rng.randint(1, len(members)))
        subgraph.extra.append("union Result = " + " | ".join(chosen))
        subgraph.imports.add("@shareable")
        subgraph.query_fields.append("search(term: String!): [Result!]! @shareable")


def _add_input(rng: random.Random, subgraphs: list[_Subgraph]) -> None:
    for subgraph in rng.sample(subgraphs, rng.randint(1, len(subgraphs))):
        fields = ["first: Int = 10", "after: String"]
        if rng.random() < 0.5:
            fields.append("term: String")
        if rng.random() < 0.2:
            fields.append("required: Boolean!")
        subgraph.extra.append("input Page { " + " ".join(fields) + " }")
        subgraph.query_fields.append(f"paged{subgraph.name.capitalize()}(page: Page): Int")


def _add_shared_root_field(rng: random.Random, subgraphs: list[_Subgraph]) -> None:
    for subgraph in rng.sample(subgraphs, rng.randint(2, len(subgraphs))):
        subgraph.imports.add("@shareable")
        arguments = ["limit: Int" + (" = 5" if rng.random() < 0.7 else "")]
        if rng.random() < 0.4:
            arguments.append("offset: Int")
        result = "String" + ("!" if rng.random() < 0.3 else "")
        subgraph.query_fields.append(f"greeting({', '.join(arguments)}): {result} @shareable")


def _add_override(rng: random.Random, subgraphs: list[_Subgraph]) -> None:
    owner = rng.choice(subgraphs)
    headers = [h for h in _entity_headers(owner) if "@key" in h]
    others = [s for s in subgraphs if s is not owner]
    if not headers or not others:
        return
    header = rng.choice(headers)
    moved = owner.types[header][-1].split("@")[0].strip()
    target = rng.choice(others)
    target.imports.add("@override")
    key = header[header.index("@key") :].split(")")[0] + ")"
    target_header = f"type {_type_name(header)} {key}"
    key_lines = [line for line in owner.types[header] if line.split(":")[0] in ("id", "sku")]
    lines = target.types.setdefault(target_header, list(key_lines))
    lines.append(f'{moved} @override(from: "{owner.name}")')


def _add_provides(rng: random.Random, subgraphs: list[_Subgraph]) -> None:
    owner = rng.choice(subgraphs)
    headers = _entity_headers(owner)
    others = [s for s in subgraphs if s is not owner]
    if not headers or not others:
        return
    header = rng.choice(headers)
    entity = _type_name(header)
    provided = owner.types[header][-1]
    name, field_type = provided.split("@")[0].strip().split(": ")
    if rng.random() < 0.8 and "@shareable" not in provided:
        owner.imports.add("@shareable")
        owner.types[header][-1] = f"{provided} @shareable"
    provider = rng.choice(others)
    provider.imports |= {"@external", "@provides"}
    key_lines = [line for line in owner.types[header] if line.split(":")[0] in ("id", "sku")]
    key = header[header.index("@key") :].split(")")[0] + ")"
    lines = provider.types.setdefault(f"type {entity} {key}", list(key_lines))
    if not any(line.startswith(f"{name}:") for line in lines):
        lines.append(f"{name}: {field_type} @external")
    provider.query_fields.append(
        f'featured{entity}{provider.name.capitalize()}: {entity} @provides(fields: "{name}")'
    )


def _add_interface_object(rng: random.Random, subgraphs: list[_Subgraph]) -> None:
    owner, other = rng.sample(subgraphs, 2)
    owner.extra.append('interface Media @key(fields: "id") { id: ID! title: String }')
    owner.types['type Book implements Media @key(fields: "id")'] = ["id: ID!", "title: String"]
    owner.types['type Song implements Media @key(fields: "id")'] = ["id: ID!", "title: String"]
    owner.query_fields.append("media: [Media!]!")
    other.imports.add("@interfaceObject")
    other.types['type Media @key(fields: "id") @interfaceObject'] = ["id: ID!", "rating: Int"]
    if rng.random() < 0.5:
        other.query_fields.append("topMedia: Media")


def _add_visibility(rng: random.Random, subgraphs: list[_Subgraph]) -> None:
    subgraph = rng.choice(subgraphs)
    subgraph.imports |= {"@tag", "@inaccessible"}
    for lines in subgraph.types.values():
        if len(lines) > 1 and rng.random() < 0.5:
            lines[-1] += f' @tag(name: "{rng.choice(["public", "internal"])}")'
        if len(lines) > 2 and rng.random() < 0.3:
            lines[-1] += " @inaccessible"
    if subgraph.query_fields and rng.random() < 0.5:
        subgraph.query_fields[0] += ' @tag(name: "entry")'
