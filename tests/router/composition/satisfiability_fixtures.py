"""Subgraph sets for the satisfiability check: each is unsatisfiable at a named field, or fine."""

from __future__ import annotations

from router.composition import SubgraphSource

LINK = (
    'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3",'
    ' import: ["@key", "@shareable", "@external", "@requires", "@provides",'
    ' "@interfaceObject"])\n'
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
    # Nested key fields: the whole selection must be fetchable, not only its top level.
    "nested_key_fetchable": (
        _sources(
            (
                "a",
                'type Query { t: T } type T @key(fields: "id") { id: ID! owner: Owner! @shareable }'
                " type Owner @shareable { id: ID! }",
            ),
            (
                "b",
                'type T @key(fields: "owner { id }") { owner: Owner! @shareable extra: Int }'
                " type Owner @shareable { id: ID! }",
            ),
        ),
        set(),
    ),
    "nested_key_field_missing_where_the_parent_is": (
        _sources(
            (
                "a",
                'type Query { t: T } type T @key(fields: "id") { id: ID! owner: Owner @shareable }'
                " type Owner @shareable { name: String }",
            ),
            (
                "b",
                'type T @key(fields: "owner { id }") { owner: Owner @shareable extra: Int }'
                " type Owner @shareable { id: ID }",
            ),
        ),
        {"Owner.id", "T.extra"},
    ),
    "nested_key_field_fetched_by_another_entity_jump": (
        _sources(
            (
                "a",
                'type Query { t: T } type T @key(fields: "id") { id: ID! owner: Owner @shareable }'
                ' type Owner @key(fields: "name") { name: String! }',
            ),
            (
                "b",
                'type T @key(fields: "owner { id }") { owner: Owner @shareable extra: Int }'
                ' type Owner @key(fields: "id") { id: ID! @shareable }',
            ),
            ("c", 'type Owner @key(fields: "name") { name: String! id: ID! @shareable }'),
        ),
        set(),
    ),
    # Nested @requires: the required nested field must be fetchable too.
    "nested_requires_unfetchable": (
        _sources(
            (
                "a",
                'type Query { t: T } type T @key(fields: "id") { id: ID! owner: Owner }'
                " type Owner @shareable { name: String }",
            ),
            (
                "b",
                'type T @key(fields: "id") { id: ID! owner: Owner @external'
                ' total: Int @requires(fields: "owner { id }") }'
                " type Owner @shareable { id: ID name: String }",
            ),
        ),
        {"Owner.id", "T.total"},
    ),
    "nested_requires_fetchable": (
        _sources(
            (
                "a",
                'type Query { t: T } type T @key(fields: "id") { id: ID! owner: Owner }'
                " type Owner @shareable { id: ID name: String }",
            ),
            (
                "b",
                'type T @key(fields: "id") { id: ID! owner: Owner @external'
                ' total: Int @requires(fields: "owner { id }") }'
                " type Owner @shareable { id: ID name: String }",
            ),
        ),
        set(),
    ),
    # @provides: a provided @external field is reachable on that path, and only there.
    "provided_field_reachable_only_through_provides": (
        _sources(
            (
                "a",
                'type Query { t: T @provides(fields: "x") }'
                ' type T @key(fields: "id") { id: ID! x: Int @external }',
            ),
            ("b", 'type T @key(fields: "id", resolvable: false) { id: ID! x: Int @shareable }'),
        ),
        set(),
    ),
    "provided_field_also_reached_without_provides": (
        _sources(
            (
                "a",
                'type Query { t: T @provides(fields: "x") u: T }'
                ' type T @key(fields: "id") { id: ID! x: Int @external }',
            ),
            ("b", 'type T @key(fields: "id", resolvable: false) { id: ID! x: Int @shareable }'),
        ),
        {"T.x"},
    ),
    "nested_provides": (
        _sources(
            (
                "a",
                'type Query { t: T @provides(fields: "u { x }") }'
                ' type T @key(fields: "id") { id: ID! u: U @external }'
                ' type U @key(fields: "id") { id: ID! x: Int @external }',
            ),
            (
                "b",
                'type T @key(fields: "id", resolvable: false) { id: ID! u: U @shareable }'
                ' type U @key(fields: "id", resolvable: false) { id: ID! x: Int @shareable }',
            ),
        ),
        set(),
    ),
    "provides_on_an_interface_field": (
        _sources(
            (
                "a",
                'type Query { n: N @provides(fields: "... on X { x }") } interface N { id: ID! }'
                ' type X implements N @key(fields: "id") { id: ID! x: Int @external }',
            ),
            ("b", 'type X @key(fields: "id", resolvable: false) { id: ID! x: Int @shareable }'),
        ),
        set(),
    ),
    "requires_met_by_a_provided_field": (
        _sources(
            (
                "a",
                'type Query { t: T @provides(fields: "x") } type T @key(fields: "id")'
                ' { id: ID! x: Int @external y: Int @requires(fields: "x") }',
            ),
            ("b", 'type T @key(fields: "id", resolvable: false) { id: ID! x: Int @shareable }'),
        ),
        set(),
    ),
    # One way of standing on an object suffices: a shared root field resolved by two subgraphs.
    "shared_root_field_with_a_field_only_one_subgraph_has": (
        _sources(
            ("a", "type Query { t: T @shareable } type T @shareable { x: Int y: Int }"),
            ("b", "type Query { t: T @shareable } type T @shareable { y: Int }"),
        ),
        set(),
    ),
    # After a @requires, the query resumes in the requiring subgraph through a key of its own
    # that selects no @external field; reached by an entity jump, it needs none.
    "requires_without_a_usable_key_to_resume": (
        _sources(
            (
                "a",
                'type Query { t: T } type T @key(fields: "owner { id }") { id: ID! @shareable'
                ' owner: Owner @external needs: Int @requires(fields: "owner { id }") }'
                ' type Owner @key(fields: "id") { id: ID @shareable }',
            ),
            (
                "c",
                'type T @key(fields: "id") { id: ID! @shareable owner: Owner @shareable }'
                ' type Owner @key(fields: "id") { id: ID @shareable }',
            ),
        ),
        {"T.needs"},
    ),
    "requires_with_a_usable_key_to_resume": (
        _sources(
            (
                "a",
                'type Query { t: T } type T @key(fields: "id") { id: ID! @shareable'
                ' owner: Owner @external needs: Int @requires(fields: "owner { id }") }'
                ' type Owner @key(fields: "id") { id: ID @shareable }',
            ),
            (
                "c",
                'type T @key(fields: "id") { id: ID! @shareable owner: Owner @shareable }'
                ' type Owner @key(fields: "id") { id: ID @shareable }',
            ),
        ),
        set(),
    ),
    # A shared root field: jumping between the subgraphs that serve it is a detour Apollo names.
    "shared_root_field_and_a_field_behind_unresolvable_keys": (
        _sources(
            ("a", 'type Query { t: T @shareable } type T @key(fields: "id") { id: ID! x: Int }'),
            ("b", 'type Query { t: T @shareable } type T @key(fields: "id") { id: ID! y: Int }'),
            ("c", 'type T @key(fields: "id", resolvable: false) { id: ID! z: Int }'),
        ),
        {"T.z"},
    ),
    "implementation_field_behind_unresolvable_keys": (
        _sources(
            (
                "a",
                "type Query { n: [N] } interface N { id: ID! }"
                ' type X implements N @key(fields: "id") { id: ID! }'
                ' type Y implements N @key(fields: "id") { id: ID! }',
            ),
            (
                "b",
                'type X @key(fields: "id", resolvable: false) { id: ID! more: Int }'
                ' type Y @key(fields: "id") { id: ID! more: Int }',
            ),
        ),
        {"X.more"},
    ),
    "requires_with_a_fragment_on_an_interface": (
        _sources(
            (
                "a",
                'type Query { t: T } type T @key(fields: "id") { id: ID! n: N }'
                " interface N { id: ID! } type X implements N @shareable { id: ID! x: Int }"
                " type Y implements N @shareable { id: ID! }",
            ),
            (
                "b",
                'type T @key(fields: "id") { id: ID! n: N @external'
                ' total: Int @requires(fields: "n { ... on X { x } }") }'
                " interface N { id: ID! } type X implements N @shareable { id: ID! x: Int }"
                " type Y implements N @shareable { id: ID! }",
            ),
        ),
        set(),
    ),
    "provides_through_an_interface_field": (
        _sources(
            (
                "a",
                'type Query { t: T @provides(fields: "n { ... on X { x } }") }'
                ' type T @key(fields: "id") { id: ID! n: N @external } interface N { id: ID! }'
                ' type X implements N @key(fields: "id") { id: ID! x: Int @external }',
            ),
            (
                "b",
                'type T @key(fields: "id", resolvable: false) { id: ID! n: N @shareable }'
                " interface N { id: ID! } type X implements N"
                ' @key(fields: "id", resolvable: false) { id: ID! x: Int @shareable }',
            ),
        ),
        set(),
    ),
    # A mutation runs once: below a shared top-level mutation field, one subgraph must do.
    "shared_mutation_field_no_subgraph_answers_alone": (
        _sources(
            (
                "a",
                "type Query { q: Int } type Mutation { m: T @shareable }"
                ' type T @key(fields: "id", resolvable: false) { id: ID! x: Int }',
            ),
            (
                "b",
                "type Mutation { m: T @shareable }"
                ' type T @key(fields: "id", resolvable: false) { id: ID! y: Int }',
            ),
        ),
        {"Mutation.m"},
    ),
    "shared_mutation_field_one_subgraph_answers_alone": (
        _sources(
            (
                "a",
                "type Query { q: Int } type Mutation { m: T @shareable }"
                ' type T @key(fields: "id") { id: ID! x: Int }',
            ),
            (
                "b",
                "type Mutation { m: T @shareable }"
                ' type T @key(fields: "id", resolvable: false) { id: ID! y: Int }',
            ),
        ),
        set(),
    ),
    # An @interfaceObject stands for every implementation but cannot tell which one it is.
    "implementation_field_only_behind_an_unresolvable_interface_object": (
        _sources(
            (
                "a",
                'type Query { n: N } interface N @key(fields: "id") { id: ID! }'
                ' type X implements N @key(fields: "id") { id: ID! }',
            ),
            ("b", 'type N @key(fields: "id") @interfaceObject { id: ID! extra: Int }'),
            (
                "c",
                'type Query { m: N } type N @key(fields: "id", resolvable: false)'
                " @interfaceObject { id: ID! other: Int }",
            ),
        ),
        {"X.other"},
    ),
}
