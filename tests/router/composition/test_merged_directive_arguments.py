"""@cost, @listSize, @requiresScopes and @policy applied with different arguments in several
subgraphs merge by Apollo's strategies, with its MERGED_NON_REPEATABLE_DIRECTIVE_ARGUMENTS hint."""

import pytest

from router.composition import SubgraphSource, compose
from tests.router.composition.apollo_hints import apollo_compose_with_hints

HINT = "MERGED_NON_REPEATABLE_DIRECTIVE_ARGUMENTS"
LINK = (
    'extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key",'
    ' "@cost", "@listSize", "@shareable", "@requiresScopes", "@policy"])\n'
)


def _sources(*fields: str) -> tuple[SubgraphSource, ...]:
    return tuple(
        SubgraphSource(name, f"http://{name}.test/graphql", LINK + f"type Query {{ {sdl} }}")
        for name, sdl in zip("abc", fields, strict=False)
    )


CASES: dict[str, tuple[SubgraphSource, ...]] = {
    "every_carried_directive_differs": _sources(
        "o(first: Int, last: Int): [Int] @shareable @cost(weight: 4)"
        ' @listSize(assumedSize: 3, slicingArguments: ["first"])'
        ' @requiresScopes(scopes: [["x"]]) p: Int @shareable @policy(policies: [["p"]])',
        "o(first: Int, last: Int): [Int] @shareable @cost(weight: 7)"
        ' @listSize(slicingArguments: ["last", "first"], requireOneSlicingArgument: false)'
        ' @requiresScopes(scopes: [["y"]]) p: Int @shareable @policy(policies: [["p"]])',
    ),
    "list_sizes_differing_only_by_sized_fields": _sources(
        'c: C @shareable @listSize(sizedFields: ["items"]) } type C @shareable { items: [Int]'
        " more: [Int]",
        'c: C @shareable @listSize(sizedFields: ["more"]) } type C @shareable { items: [Int]'
        " more: [Int]",
        'c: C @shareable @listSize(sizedFields: ["items"], requireOneSlicingArgument: true) }'
        " type C @shareable { items: [Int] more: [Int]",
    ),
    "same_arguments_everywhere": _sources(
        "l: [Int] @shareable @cost(weight: 2) @listSize(assumedSize: 3)",
        "l: [Int] @shareable @cost(weight: 2) @listSize(assumedSize: 3)",
    ),
}


def test_differing_list_sizes_merge_by_apollos_strategies() -> None:
    result = compose(CASES["every_carried_directive_differs"])

    assert result.supergraph_sdl is not None, result.errors
    assert (
        '@cost(weight: 7) @listSize(assumedSize: 3, slicingArguments: ["first", "last"],'
        " requireOneSlicingArgument: false)"
    ) in result.supergraph_sdl
    assert (
        'Directive @cost is applied to "Query.o" in multiple subgraphs with different '
        'arguments. Merging strategies used by arguments: { "weight": MAX }'
    ) in [hint.message for hint in result.hints if hint.code == HINT]


@pytest.mark.npm
@pytest.mark.parametrize("case_name", sorted(CASES))
def test_merged_arguments_and_hints_match_apollo(npm_tools: None, case_name: str) -> None:
    sources = CASES[case_name]
    reference, errors, hints = apollo_compose_with_hints(sources)
    assert errors == []

    result = compose(sources)

    assert result.supergraph_sdl == reference
    ours = [f"{hint.code}: {hint.message}" for hint in result.hints if hint.code == HINT]
    assert sorted(ours) == sorted(hint for hint in hints if hint.startswith(HINT))
