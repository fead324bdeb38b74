"""Subgraph sets for the satisfiability check: each is unsatisfiable at a named field, or fine."""

from __future__ import annotations

from router.composition import SubgraphSource

LINK = (
    'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3",'
    ' import: ["@key", "@shareable", "@external", "@requires", "@provides"])\n'
)


def _sources(*sdls: tuple[str, str]) -> list[SubgraphSource]:
    return [SubgraphSource(name, f"http://{name}.test/graphql", LINK + sdl) for name, sdl in sdls]


# name -> (subgraphs, coordinates that must be reported unsatisfiable; empty when composable)
SATISFIABILITY_CASES: dict[str, tuple[list[SubgraphSource], set[str]]] = {
    "required_field_only_in_an_unresolvable_subgraph": (
        _sources(
            ("a", 'type Query { t: T } type T @key(fields: "id") { id: ID! }'),
            (
                "b",
                'type T @key(fields: "id") { id: ID! x: Int @external'
                ' y: Int @requires(fields: "x") }',
            ),
            ("c", 'type T @key(fields: "id", resolvable: false) { id: ID! x: Int }'),
        ),
        {"T.x", "T.y"},
    ),
    "value_type_field_only_in_another_subgraph": (
        _sources(
            ("a", "type Query { m: M } type M @shareable { a: Int }"),
            ("b", "type Query { n: M @shareable } type M @shareable { a: Int b: Int }"),
        ),
        {"M.b"},
    ),
    "entity_field_behind_unresolvable_keys": (
        _sources(
            ("a", 'type Query { t: T } type T @key(fields: "id") { id: ID! }'),
            ("b", 'type T @key(fields: "id", resolvable: false) { id: ID! extra: Int }'),
        ),
        {"T.extra"},
    ),
    "origin_without_key_fields": (
        _sources(
            ("a", "type Query { t: T } type T @shareable { name: String }"),
            ("b", 'type T @key(fields: "id") @shareable { id: ID! name: String }'),
        ),
        {"T.id"},
    ),
    "two_key_hops": (
        _sources(
            ("a", 'type Query { t: T } type T @key(fields: "id") { id: ID! }'),
            ("b", 'type T @key(fields: "id") @key(fields: "code") { id: ID! code: String! }'),
            ("c", 'type T @key(fields: "code") { code: String! extra: Int }'),
        ),
        set(),
    ),
    "implementation_reached_through_an_interface": (
        _sources(
            (
                "a",
                "type Query { n: [N] } interface N { id: ID! }"
                ' type X implements N @key(fields: "id") { id: ID! }',
            ),
            ("b", 'type X @key(fields: "id") { id: ID! more: Int }'),
        ),
        set(),
    ),
    "requires_satisfied_by_a_third_subgraph": (
        _sources(
            ("a", 'type Query { t: T } type T @key(fields: "id") { id: ID! }'),
            (
                "b",
                'type T @key(fields: "id") { id: ID! x: Int @external'
                ' y: Int @requires(fields: "x") }',
            ),
            ("c", 'type T @key(fields: "id") { id: ID! x: Int }'),
        ),
        set(),
    ),
}
