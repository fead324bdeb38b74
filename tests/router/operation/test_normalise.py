"""The normal form: fragments inlined, fields merged, conditions resolved."""

from __future__ import annotations

from router.operation import Field, Fragment, load_operation, normalise_operation
from tests.router.executor.fakes import fixture_supergraph

BENCHMARK = fixture_supergraph("benchmark")
ABSTRACT = fixture_supergraph("abstract")


def shape(selections: tuple[Field | Fragment, ...]) -> list[object]:
    """A compact view: field keys with children, fragments as ("on Type", children)."""
    result: list[object] = []
    for item in selections:
        if isinstance(item, Fragment):
            result.append((f"on {item.type_condition}", shape(item.selections)))
        elif item.selections is None:
            result.append(item.response_key)
        else:
            result.append((item.response_key, shape(item.selections)))
    return result


def normal_form(
    document: str, conditions: dict[str, bool] | None = None, schema=None
) -> list[object]:
    supergraph = schema or BENCHMARK
    operation = load_operation(supergraph.api_schema, document, None)
    return shape(normalise_operation(supergraph.api_schema, operation, conditions or {}))


def test_named_and_inline_fragments_on_the_same_type_are_merged_in_first_seen_order() -> None:
    assert normal_form(
        "{ me { id ...U ... on User { name reviews { id } } } } "
        "fragment U on User { reviews { body } username }"
    ) == [("me", ["id", ("reviews", ["body", "id"]), "username", "name"])]


def test_literal_conditions_drop_or_keep_selections() -> None:
    assert normal_form(
        "{ me { id @skip(if: true) name @include(if: true) ... @include(if: false) { username } } }"
    ) == [("me", ["name"])]


def test_variable_conditions_follow_the_given_values() -> None:
    document = "query Q($a: Boolean!) { me { id @skip(if: $a) name @include(if: $a) } }"
    assert normal_form(document, {"a": True}) == [("me", ["name"])]
    assert normal_form(document, {"a": False}) == [("me", ["id"])]


def test_type_conditions_that_narrow_an_abstract_type_are_kept() -> None:
    assert normal_form(
        '{ search(term: "x") { __typename ... on Book { title } ... on Media { id } } }',
        schema=ABSTRACT,
    ) == [("search", ["__typename", ("on Book", ["title"]), ("on Media", ["id"])])]


def test_fragments_on_an_interface_of_an_object_are_flattened() -> None:
    assert normal_form(
        '{ node(id: "1") { ... on Book { ... on Media { title } ... on Node { id } } } }',
        schema=ABSTRACT,
    ) == [("node", [("on Book", ["title", "id"])])]
