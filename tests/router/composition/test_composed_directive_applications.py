"""Applications of @composeDirective directives merge like @apollo/composition: an element
carries one only where a subgraph composing it applies it, counting the applications of
subgraphs that define it without composing it too; a non-repeatable one applied with different
arguments keeps the most common and hints INCONSISTENT_NON_REPEATABLE_DIRECTIVE_ARGUMENTS."""

import pytest

from router.composition import SubgraphSource, compose
from tests.router.composition.apollo_hints import apollo_compose_with_hints

HINT = "INCONSISTENT_NON_REPEATABLE_DIRECTIVE_ARGUMENTS"


def _head(*, composes: bool = True, repeatable: bool = False, linked: bool = True) -> str:
    link = ' @link(url: "https://example.com/foo/v1.0", import: ["@foo"])' if linked else ""
    compose_it = ' @composeDirective(name: "@foo")' if composes else ""
    return (
        'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3",'
        ' import: ["@key", "@shareable", "@composeDirective"])'
        + link
        + compose_it
        + "\ndirective @foo(v: Int, w: [String], o: FooInput)"
        + (" repeatable" if repeatable else "")
        + " on FIELD_DEFINITION | OBJECT | ARGUMENT_DEFINITION | ENUM_VALUE\n"
        + "input FooInput { x: Int }\n"
    )


def _sources(*sdls: tuple[str, str]) -> tuple[SubgraphSource, ...]:
    return tuple(SubgraphSource(name, f"http://{name}.test/graphql", sdl) for name, sdl in sdls)


def _subgraph(name: str, head: str, foo: str, extra: str = "") -> tuple[str, str]:
    return (
        name,
        head
        + f"type Query {{ t(a: Int {foo}): T @shareable {foo} }}"
        + f' type T @key(fields: "id") {foo} {{ id: ID! {extra} }}'
        + f" enum E {{ ONE {foo} }} type U @shareable {{ e: E }}",
    )


CASES: dict[str, tuple[SubgraphSource, ...]] = {
    "a_non_composing_subgraph_only_adds_where_a_composing_one_applies": _sources(
        _subgraph("a", _head(), "@foo(v: 1)"),
        _subgraph("b", _head(composes=False), "@foo(v: 2)", "x: Int @foo(v: 2)"),
    ),
    "non_composing_majority_wins": _sources(
        _subgraph("a", _head(), "@foo(v: 1)"),
        _subgraph("b", _head(composes=False), "@foo(v: 2)", "x: Int"),
        _subgraph("c", _head(composes=False), "@foo(v: 2)", "y: Int"),
    ),
    "non_composing_subgraph_without_the_link": _sources(
        _subgraph("a", _head(), "@foo(v: 1)"),
        _subgraph("b", _head(composes=False, linked=False), "@foo(v: 3)", "x: Int @foo(v: 3)"),
    ),
    "repeatable_keeps_every_distinct_application": _sources(
        _subgraph("a", _head(repeatable=True), "@foo(v: 1)"),
        _subgraph("b", _head(composes=False, repeatable=True), "@foo(v: 2)", "x: Int"),
        _subgraph("c", _head(repeatable=True), '@foo(v: 1) @foo(w: ["z"])', "y: Int"),
    ),
    "inconsistent_arguments_everywhere": _sources(
        _subgraph("a", _head(), '@foo(v: 1, w: ["a"], o: {x: 1})'),
        _subgraph("b", _head(), "@foo(v: 2)", "x: Int"),
        _subgraph("c", _head(), "@foo(v: 2)", "y: Int"),
        _subgraph("d", _head(), "", "z: Int"),
        _subgraph("e", _head(), "@foo", "w: Int"),
    ),
}


def test_the_most_common_arguments_win_with_a_hint_naming_every_subgraph() -> None:
    result = compose(CASES["non_composing_majority_wins"])

    assert result.supergraph_sdl is not None, result.errors
    assert "t(a: Int @foo(v: 2)): T @foo(v: 2)" in result.supergraph_sdl
    assert "  x: Int @join__field(graph: B)\n" in result.supergraph_sdl
    hints = [hint.message for hint in result.hints if hint.code == HINT]
    assert (
        'Non-repeatable directive @foo is applied to "Query.t" in multiple subgraphs but with '
        "incompatible arguments. The supergraph will use arguments {v: 2} (from subgraphs "
        '"b" and "c"), but found arguments {v: 1} in subgraph "a".'
    ) in hints


@pytest.mark.npm
@pytest.mark.parametrize("case_name", sorted(CASES))
def test_composed_directive_applications_match_apollo(npm_tools: None, case_name: str) -> None:
    sources = CASES[case_name]
    reference, errors, hints = apollo_compose_with_hints(sources)
    assert errors == []

    result = compose(sources)

    assert result.errors == ()
    assert result.supergraph_sdl == reference
    ours = [f"{hint.code}: {hint.message}" for hint in result.hints if hint.code == HINT]
    assert sorted(ours) == sorted(hint for hint in hints if hint.startswith(HINT))
