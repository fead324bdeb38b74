"""Loading supergraphs: the join model, the API schema and clear errors for unusable files."""

from __future__ import annotations

import pytest
from graphql import print_schema

from router.errors import SupergraphError
from router.supergraph import load_supergraph
from tests.router.executor.fakes import REPO_ROOT, fixture_supergraph

BENCHMARK_SDL = (
    REPO_ROOT / "tests" / "fixtures" / "benchmark" / "supergraph.apollo.graphql"
).read_text()


def test_subgraphs_are_keyed_by_join_graph_name_with_urls_overridable() -> None:
    supergraph = load_supergraph(
        BENCHMARK_SDL, subgraph_urls={"reviews": "http://127.0.0.1:9999/graphql"}
    )
    assert list(supergraph.subgraphs) == ["accounts", "inventory", "products", "reviews"]
    assert supergraph.subgraphs["accounts"].enum_value == "ACCOUNTS"
    assert supergraph.subgraphs["accounts"].url == "http://127.0.0.1:4201/graphql"
    assert supergraph.subgraphs["reviews"].url == "http://127.0.0.1:9999/graphql"


def test_url_for_an_unknown_subgraph_is_rejected() -> None:
    with pytest.raises(SupergraphError, match="unknown subgraph"):
        load_supergraph(BENCHMARK_SDL, subgraph_urls={"nope": "http://x"})


def test_join_directives_become_the_type_model() -> None:
    supergraph = fixture_supergraph("benchmark")
    product = supergraph.types["Product"]
    assert product.graphs == {"inventory", "products", "reviews"}
    assert [(key.graph, key.fields) for key in product.keys] == [
        ("inventory", "upc"),
        ("products", "upc"),
        ("reviews", "upc"),
    ]
    shipping = product.fields["shippingEstimate"].in_graphs["inventory"]
    assert shipping.requires is not None
    assert supergraph.graphs_resolving("Product", "price") == ["products"]
    assert not supergraph.field_resolvable_in("Product", "price", "inventory")
    assert supergraph.field_known_in("Product", "price", "inventory")
    author = supergraph.types["Review"].fields["author"].in_graphs["reviews"]
    assert author.provides is not None


def test_resolvable_false_keys_and_union_members_per_subgraph() -> None:
    keys = fixture_supergraph("keys")
    [venues_user_key] = keys.types["User"].keys_in("venues")
    assert not venues_user_key.resolvable
    abstract = fixture_supergraph("abstract")
    assert abstract.possible_types_in("Featured", "movies") == ["Movie", "Podcast"]
    assert abstract.possible_types_in("SearchResult", "catalog") == ["Book", "Movie"]
    assert abstract.possible_types_in("Media", "books") == []


def test_api_schema_has_no_join_link_or_inaccessible_elements() -> None:
    supergraph = fixture_supergraph("shareable")
    sdl = supergraph.api_sdl
    for hidden in ("join__", "link__", "@link", "@inaccessible", "secretCode"):
        assert hidden not in sdl
    assert "stock: Int" in sdl
    assert print_schema(supergraph.api_schema) == sdl


def test_every_supported_join_version_loads() -> None:
    assert fixture_supergraph("benchmark").join_version == "0.3"
    assert fixture_supergraph("override_labels").join_version == "0.4"
    context = fixture_supergraph("context")
    assert context.join_version == "0.5"
    assert "context" not in context.api_sdl.replace("context:", "")
    assert "price: Int\n" in context.api_sdl


def test_override_moves_resolution_to_the_new_subgraph() -> None:
    supergraph = fixture_supergraph("shareable")
    assert supergraph.graphs_resolving("Product", "stock") == ["inventory"]


@pytest.mark.parametrize(
    ("sdl", "message"),
    [
        ("type Query { a: Int", "not valid GraphQL SDL"),
        ("type Query { a: Int }", "not a Federation 2 supergraph"),
        (
            BENCHMARK_SDL.replace("join/v0.3", "join/v0.1"),
            "join spec v0.1 is not supported",
        ),
        (
            'schema @core(feature: "https://specs.apollo.dev/core/v0.1") { query: Query }\n'
            "type Query { a: Int }",
            "Federation 1 supergraph",
        ),
        (
            BENCHMARK_SDL.replace(
                '@join__type(graph: ACCOUNTS, key: "id")', "@join__type(graph: NOPE)"
            ),
            "unknown graph",
        ),
    ],
    ids=["syntax", "no-link", "old-join", "fed1", "unknown-graph"],
)
def test_unusable_supergraphs_raise_a_clear_error(sdl: str, message: str) -> None:
    with pytest.raises(SupergraphError, match=message):
        load_supergraph(sdl)


def test_progressive_override_moves_the_field_only_while_its_label_is_active() -> None:
    supergraph = fixture_supergraph("override_labels")
    price = supergraph.types["Product"].fields["price"]
    assert price.in_graphs["pricing"].override_label == "percent(25)"
    assert supergraph.override_labels == {"percent(25)", "beta-shipping"}
    assert supergraph.graphs_resolving("Product", "price") == ["catalog"]
    active = supergraph.with_override_labels(frozenset({"percent(25)", "unknown"}))
    assert active.active_override_labels == {"percent(25)"}
    assert active.graphs_resolving("Product", "price") == ["pricing"]
    assert active.graphs_resolving("Product", "shippingCost") == ["catalog"]
    assert supergraph.with_override_labels(frozenset()) is supergraph


def test_enum_values_know_their_subgraphs() -> None:
    supergraph = load_supergraph(
        BENCHMARK_SDL
        + "\nenum Color @join__type(graph: ACCOUNTS) @join__type(graph: REVIEWS) {\n"
        + "  RED @join__enumValue(graph: ACCOUNTS) @join__enumValue(graph: REVIEWS)\n"
        + "  BLUE @join__enumValue(graph: REVIEWS)\n}\n"
    )
    assert supergraph.enum_values["Color"] == {
        "RED": {"accounts", "reviews"},
        "BLUE": {"reviews"},
    }
    assert "join__Graph" not in supergraph.enum_values


def test_contexts_and_context_arguments_are_read_from_the_supergraph() -> None:
    supergraph = fixture_supergraph("context")
    assert supergraph.types["T"].contexts == {"shop__ctx"}
    [argument] = supergraph.types["U"].fields["price"].in_graphs["shop"].context_arguments
    assert (argument.name, argument.type, argument.context) == ("currency", "String", "shop__ctx")
    assert argument.variable == "contextualArgument_2_0"  # shop is the second subgraph
    sdl = supergraph.sdl.replace(
        '@context(name: "shop__ctx")',
        '@join__directive(graphs: [SHOP], name: "context", args: {name: "shop__ctx"})',
    )
    assert load_supergraph(sdl).types["T"].contexts == {"shop__ctx"}
