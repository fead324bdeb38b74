"""@cost, @listSize and the authorization directives imported under another name keep that
name in the supergraph, exactly as @apollo/composition prints it."""

import pytest

from router.composition import SubgraphSource, compose
from tests.router.composition.supergraph_equivalence import apollo_compose


def _link(*imports: str) -> str:
    return (
        'extend schema @link(url: "https://specs.apollo.dev/federation/v2.9",'
        f' import: ["@key", {", ".join(imports)}])\n'
    )


WEIGHT = '{name: "@cost", as: "@weight"}'
SIZE = '{name: "@listSize", as: "@size"}'


def _sources(*sdls: tuple[str, str]) -> tuple[SubgraphSource, ...]:
    return tuple(SubgraphSource(name, f"http://{name}.test/graphql", sdl) for name, sdl in sdls)


CASES: dict[str, tuple[SubgraphSource, ...]] = {
    "cost_and_list_size_renamed": _sources(
        (
            "a",
            _link(WEIGHT, SIZE) + "type Query { l(first: Int): [Int]"
            ' @size(slicingArguments: ["first"]) o: Int @weight(weight: 4) }',
        ),
    ),
    "only_cost_renamed": _sources(
        ("a", _link(WEIGHT) + "type Query { o: Int @weight(weight: 4) }"),
    ),
    "only_list_size_renamed": _sources(
        ("a", _link(SIZE, '"@cost"') + "type Query { l: [Int] @size(assumedSize: 2) }"),
    ),
    "cost_used_namespaced": _sources(
        ("a", _link() + "type Query { o: Int @federation__cost(weight: 4) }"),
    ),
    "renamed_in_both_subgraphs_merged": _sources(
        (
            "a",
            _link(WEIGHT, '"@shareable"') + "type Query { o: Int @weight(weight: 4) @shareable }",
        ),
        (
            "b",
            _link(WEIGHT, '"@shareable"') + "type Query { o: Int @weight(weight: 7) @shareable }",
        ),
    ),
    "renamed_in_one_subgraph_unused_in_the_other": _sources(
        ("a", _link(WEIGHT) + "type Query { o: Int @weight(weight: 4) }"),
        ("b", _link('"@cost"') + "type Query { p: Int }"),
    ),
    "authorization_renamed": _sources(
        (
            "a",
            _link(
                '{name: "@authenticated", as: "@auth"}',
                '{name: "@requiresScopes", as: "@scopes"}',
                '"@listSize"',
            )
            + 'type Query { o: Int @auth s: Int @scopes(scopes: [["x"]])'
            " l: [Int] @listSize(assumedSize: 2) }",
        ),
    ),
}
MISMATCH = _sources(
    ("a", _link(WEIGHT) + "type Query { o: Int @weight(weight: 4) }"),
    ("b", _link('"@cost"') + "type Query { p: Int @cost(weight: 2) }"),
)


def test_a_renamed_cost_keeps_its_name_in_the_supergraph() -> None:
    result = compose(CASES["cost_and_list_size_renamed"])

    assert result.supergraph_sdl is not None, result.errors
    assert (
        '@link(url: "https://specs.apollo.dev/cost/v0.1", import: [{name: "@cost", as: '
        '"@weight"}, {name: "@listSize", as: "@size"}])' in result.supergraph_sdl
    )
    assert "directive @weight(weight: Int!) on" in result.supergraph_sdl
    assert "  o: Int @weight(weight: 4)\n" in result.supergraph_sdl
    assert '@size(slicingArguments: ["first"])' in result.supergraph_sdl
    assert "directive @cost(" not in result.supergraph_sdl


def test_subgraphs_naming_one_directive_differently_are_rejected() -> None:
    result = compose(MISMATCH)

    assert result.supergraph_sdl is None
    assert [(error.code, error.message) for error in result.errors] == [
        (
            "LINK_IMPORT_NAME_MISMATCH",
            'The "@cost" directive (from https://specs.apollo.dev/federation/v2.9) is imported'
            ' with mismatched name between subgraphs: it is imported as "@cost" in subgraph "b"'
            ' but "@weight" in subgraph "a"',
        )
    ]


@pytest.mark.npm
@pytest.mark.parametrize("case_name", sorted(CASES))
def test_renamed_directives_are_printed_like_apollo(npm_tools: None, case_name: str) -> None:
    sources = CASES[case_name]
    reference, errors = apollo_compose(sources)
    assert errors == []

    result = compose(sources)

    assert result.errors == ()
    assert result.supergraph_sdl == reference


@pytest.mark.npm
def test_apollo_rejects_the_name_mismatch_with_the_same_error(npm_tools: None) -> None:
    _, errors = apollo_compose(MISMATCH)

    assert errors == [f"{e.code}: {e.message}" for e in compose(MISMATCH).errors]
