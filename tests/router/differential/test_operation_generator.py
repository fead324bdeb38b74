"""The random operation generator: valid, deterministic, and every feature shows up often enough."""

from __future__ import annotations

from collections import Counter
from functools import cache
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLNamedType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    build_schema,
    get_named_type,
    parse,
)

from tests.fixtures.differential.operations import (
    GeneratedOperation,
    GenerationSettings,
    generate_operations,
    operation_errors,
    operation_features,
)

MEDIA_SDL = """
interface Node { id: ID! }
interface Media { id: ID! title: String! year: Int }
type Book implements Node & Media {
  id: ID! title: String! year: Int author: Person pages: Int
}
type Movie implements Node & Media {
  id: ID! title: String! year: Int director: Person rating: Rating
  runtime(unit: Unit = MINUTES): Int
}
type Person implements Node {
  id: ID! name: String favourite: Media friends(first: Int = 2): [Person!]!
  related(filter: Filter!): [SearchResult]
}
union SearchResult = Book | Movie | Person
enum Rating { G PG R }
enum Unit { MINUTES HOURS }
input Filter { rating: Rating, minYear: Int, text: String!, nested: Filter }
type Query {
  node(id: ID!): Node
  media(filter: Filter): [Media]
  search(text: String!, limit: Int): [SearchResult!]!
  book(id: ID! = "1"): Book
  people: [Person]
  now: String
}
type Mutation { reset: Boolean }
"""

BENCHMARK_SDL = """
type Query {
  me: User
  user(id: ID!): User
  users: [User]
  topProducts(first: Int = 5): [Product]
}
type User { id: ID! username: String name: String reviews: [Review] }
type Product {
  upc: String! name: String price: Int weight: Int inStock: Boolean shippingEstimate: Int
  reviews: [Review]
}
type Review { id: ID! body: String author: User product: Product }
"""

MEDIA = build_schema(MEDIA_SDL)
BENCHMARK = build_schema(BENCHMARK_SDL)


@cache
def media_operations() -> tuple[GeneratedOperation, ...]:
    return tuple(generate_operations(MEDIA, seed=3, count=1000))


def walk(node: Any) -> list[Any]:
    out = [node]
    for key in node.keys:
        value = getattr(node, key, None)
        items = value if isinstance(value, tuple | list) else (value,)
        for item in items:
            if hasattr(item, "keys") and not isinstance(item, dict):
                out.extend(walk(item))
    return out


def field_depth(document: DocumentNode) -> int:
    """The deepest field nesting, following fragment spreads."""
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }

    def depth(selection_set: SelectionSetNode) -> int:
        best = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                below = depth(selection.selection_set) if selection.selection_set else 0
                best = max(best, 1 + below)
            elif isinstance(selection, InlineFragmentNode):
                best = max(best, depth(selection.selection_set))
            elif isinstance(selection, FragmentSpreadNode):
                best = max(best, depth(fragments[selection.name.value].selection_set))
        return best

    operation = next(d for d in document.definitions if isinstance(d, OperationDefinitionNode))
    return depth(operation.selection_set)


def selected_fields(schema: GraphQLSchema, document: DocumentNode) -> set[str]:
    """``Type.field`` for every field selected, with the type it is selected on."""
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    found: set[str] = set()

    def visit(selection_set: SelectionSetNode, parent: GraphQLNamedType) -> None:
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                found.add(f"{parent.name}.{selection.name.value}")
                if selection.selection_set is not None:
                    field = parent.fields[selection.name.value]  # type: ignore[union-attr]
                    visit(selection.selection_set, get_named_type(field.type))
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                inner = schema.type_map[condition.name.value] if condition else parent
                visit(selection.selection_set, inner)
            elif isinstance(selection, FragmentSpreadNode):
                fragment = fragments[selection.name.value]
                visit(fragment.selection_set, schema.type_map[fragment.type_condition.name.value])

    operation = next(d for d in document.definitions if isinstance(d, OperationDefinitionNode))
    assert schema.query_type is not None
    visit(operation.selection_set, schema.query_type)
    return found


def test_every_generated_operation_is_a_valid_query_with_coercible_variables() -> None:
    operations = media_operations()
    assert len(operations) == 1000
    # generate_operations validates each document it builds (and raises if one is invalid);
    # check a sample of the printed texts again
    for operation in operations[::20]:
        assert operation_errors(MEDIA, operation) == [], operation.query
    for operation in operations:
        document = parse(operation.query)
        kinds = [d.operation.value for d in document.definitions if hasattr(d, "operation")]
        assert kinds == ["query"]
        assert field_depth(document) <= GenerationSettings().max_depth


def test_generation_is_deterministic_for_a_seed() -> None:
    again = generate_operations(MEDIA, seed=3, count=60)
    assert again == list(media_operations()[:60])
    other = generate_operations(MEDIA, seed=4, count=60)
    assert other != again


def test_every_feature_appears_in_a_good_share_of_operations() -> None:
    counts: Counter[str] = Counter()
    for operation in media_operations():
        counts.update(operation_features(MEDIA, operation))
    wanted = [
        "alias",
        "shadowing_alias",
        "typename",
        "aliased_typename",
        "duplicate_field",
        "conditional_duplicate",
        "duplicate_different_selections",
        "named_fragment",
        "fragment_spread_reused",
        "nested_fragment_spread",
        "whole_selection_fragment",
        "inline_fragment",
        "inline_fragment_without_type",
        "fragment_narrowing",
        "fragment_widening",
        "union_fragment_in_interface",
        "skip",
        "include",
        "condition_literal",
        "condition_variable",
        "condition_on_field",
        "condition_on_inline_fragment",
        "condition_on_fragment_spread",
        "boolean_variable_with_default",
        "variable_with_default",
        "variable_no_default",
        "variable_omitted",
        "argument_literal",
        "argument_variable",
        "interface_field",
        "union_field",
        "list_field",
    ]
    rare = {feature: counts[feature] for feature in wanted if counts[feature] < 30}
    assert rare == {}, counts


def test_shadowing_aliases_are_a_frequent_kind_of_alias() -> None:
    aliased = shadowing = 0
    for operation in media_operations()[:300]:
        document = parse(operation.query)
        names = {
            field
            for named in MEDIA.type_map.values()
            for field in getattr(named, "fields", {})
            if not named.name.startswith("__")
        }
        for node in walk(document):
            if isinstance(node, FieldNode) and node.alias is not None:
                aliased += 1
                if node.alias.value != node.name.value and node.alias.value in names:
                    shadowing += 1
    assert aliased > 300
    assert 0.1 <= shadowing / aliased <= 0.6


def test_settings_choose_argument_values_exclude_fields_and_restrict_root_fields() -> None:
    settings = GenerationSettings(
        max_depth=3,
        max_selections=4,
        argument_values={"Query.node.id": ["b1", "m2"], "Query.search.text": ["dune"]},
        excluded_fields=frozenset({"Query.now", "Movie.rating", "Media.year"}),
        root_fields=frozenset({"node", "search", "media", "now"}),
    )
    operations = generate_operations(MEDIA, seed=11, count=200, settings=settings)
    seen_ids: set[str] = set()
    for operation in operations:
        document = parse(operation.query)
        assert field_depth(document) <= 3
        fields = selected_fields(MEDIA, document)
        assert not fields & {"Query.now", "Movie.rating", "Media.year", "Book.year"}
        roots = {name.split(".")[1] for name in fields if name.startswith("Query.")}
        assert roots <= {"node", "search", "media", "__typename"}
        for node in walk(document):
            if isinstance(node, FieldNode) and node.name.value == "node":
                (argument,) = node.arguments
                if isinstance(argument.value, VariableNode):
                    name = argument.value.name.value
                    if name in operation.variables:
                        seen_ids.add(operation.variables[name])
                else:
                    seen_ids.add(argument.value.value)  # type: ignore[attr-defined]
            if isinstance(node, FieldNode) and node.name.value == "search":
                text = next(a for a in node.arguments if a.name.value == "text")
                if not isinstance(text.value, VariableNode):
                    assert text.value.value == "dune"  # type: ignore[attr-defined]
    assert seen_ids == {"b1", "m2"}


def test_operations_over_the_benchmark_schema_are_valid_and_varied() -> None:
    operations = generate_operations(BENCHMARK, seed=1, count=300)
    counts: Counter[str] = Counter()
    for operation in operations:
        counts.update(operation_features(BENCHMARK, operation))
    for feature in ("shadowing_alias", "conditional_duplicate", "whole_selection_fragment"):
        assert counts[feature] >= 20, counts
    assert len({operation.query for operation in operations}) == 300
