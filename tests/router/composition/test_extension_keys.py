"""``@join__type(..., extension: true)`` is printed per @key, exactly when @apollo/composition
prints it: for a key declared on a type extension (or on a type marked @extends), even when the
same subgraph also defines the type."""

import pytest

from router.composition import SubgraphSource, compose
from tests.router.composition.supergraph_equivalence import apollo_compose

LINK = (
    'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3",'
    ' import: ["@key", "@shareable", "@external", "@extends", "@interfaceObject"])\n'
)
B = ("b", LINK + 'type T @key(fields: "id") { id: ID! x: Int }')


def _sources(*sdls: tuple[str, str]) -> tuple[SubgraphSource, ...]:
    return tuple(SubgraphSource(name, f"http://{name}.test/graphql", sdl) for name, sdl in sdls)


CASES: dict[str, tuple[SubgraphSource, ...]] = {
    "key_on_an_extension_of_a_defined_type": _sources(
        (
            "a",
            LINK + "type Query { t: T } type T { id: ID! name: String }"
            ' extend type T @key(fields: "id")',
        ),
        B,
    ),
    "extension_before_the_definition": _sources(
        (
            "a",
            LINK + 'type Query { t: T } extend type T @key(fields: "id") { id: ID! }'
            " type T { name: String }",
        ),
        B,
    ),
    "one_key_on_the_definition_one_on_the_extension": _sources(
        (
            "a",
            LINK + 'type Query { t: T } type T @key(fields: "id") { id: ID! code: String }'
            ' extend type T @key(fields: "code")',
        ),
        B,
    ),
    "fields_on_the_extension_key_on_the_definition": _sources(
        (
            "a",
            LINK + 'type Query { t: T } type T @key(fields: "id") { id: ID! }'
            " extend type T { name: String }",
        ),
        B,
    ),
    "extension_only": _sources(
        (
            "a",
            LINK + 'type Query { t: T } extend type T @key(fields: "id") { id: ID! name: String }',
        ),
        B,
    ),
    "extends_directive_with_two_keys": _sources(
        (
            "a",
            LINK + 'type Query { t: T } type T @extends @key(fields: "id") @key(fields: "code")'
            " { id: ID! code: String name: String }",
        ),
        ("b", LINK + 'type T @key(fields: "id") @key(fields: "code") { id: ID! code: String }'),
    ),
    "extension_without_key_next_to_a_definition": _sources(
        (
            "a",
            LINK + "type Query { t: T } type T @shareable { id: ID! }"
            " extend type T @shareable { name: String }",
        ),
        ("b", LINK + "type T @shareable { id: ID! name: String }"),
    ),
    "interface_key_on_an_extension": _sources(
        (
            "a",
            LINK + "type Query { i: I } interface I { id: ID! }"
            ' extend interface I @key(fields: "id")'
            ' type O implements I @key(fields: "id") { id: ID! }',
        ),
        ("b", LINK + 'type I @key(fields: "id") @interfaceObject { id: ID! extra: Int }'),
    ),
    "federation1_definition_and_extension_in_one_subgraph": _sources(
        (
            "a",
            'type Query { t: T } type T { id: ID! name: String } extend type T @key(fields: "id")',
        ),
        ("b", 'extend type T @key(fields: "id") { id: ID! @external x: Int }'),
    ),
}


def test_a_key_on_an_extension_is_an_extension_key_even_where_the_type_is_defined() -> None:
    result = compose(CASES["one_key_on_the_definition_one_on_the_extension"])

    assert result.supergraph_sdl is not None, result.errors
    assert (
        '  @join__type(graph: A, key: "id")\n'
        '  @join__type(graph: A, key: "code", extension: true)\n'
        '  @join__type(graph: B, key: "id")\n'
    ) in result.supergraph_sdl


@pytest.mark.npm
@pytest.mark.parametrize("case_name", sorted(CASES))
def test_extension_flags_are_printed_like_apollo(npm_tools: None, case_name: str) -> None:
    sources = CASES[case_name]
    reference, errors = apollo_compose(sources)
    assert errors == []

    result = compose(sources)

    assert result.errors == ()
    assert result.supergraph_sdl == reference
