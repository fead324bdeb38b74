"""The supergraph: parse a Federation 2 supergraph SDL into a frozen model and API schema."""

from __future__ import annotations

from collections.abc import Mapping

from graphql import GraphQLError, build_ast_schema, parse

from router.errors import SupergraphError
from router.supergraph.api_schema import build_api_schema, print_api_schema
from router.supergraph.authorization import AuthorizationRules, Requirement, read_authorization
from router.supergraph.join import read_enum_values, read_graphs, read_types
from router.supergraph.links import join_spec, read_links
from router.supergraph.model import (
    ContextArgument,
    EntityKey,
    FieldInGraph,
    FieldModel,
    SubgraphEndpoint,
    Supergraph,
    TypeModel,
)

__all__ = [
    "AuthorizationRules",
    "ContextArgument",
    "EntityKey",
    "FieldInGraph",
    "FieldModel",
    "Requirement",
    "SubgraphEndpoint",
    "Supergraph",
    "TypeModel",
    "load_supergraph",
]


def load_supergraph(sdl: str, *, subgraph_urls: Mapping[str, str] | None = None) -> Supergraph:
    """Build the model of a supergraph; raises SupergraphError when it cannot be served."""
    try:
        document = parse(sdl, no_location=True)
    except GraphQLError as error:
        raise SupergraphError(
            f"the supergraph is not valid GraphQL SDL: {error.message}"
        ) from error
    links = read_links(document)
    join = join_spec(links)
    subgraphs, graph_by_enum = read_graphs(document, join, subgraph_urls or {})
    unknown = set(subgraph_urls or {}) - set(subgraphs)
    if unknown:
        raise SupergraphError(f"URL given for unknown subgraph(s): {', '.join(sorted(unknown))}")
    try:
        schema = build_ast_schema(document, assume_valid_sdl=True)
        api_schema = build_api_schema(parse(sdl, no_location=True), links)
    except (GraphQLError, TypeError) as error:
        raise SupergraphError(f"the supergraph schema cannot be built: {error}") from error
    context = next((link for link in links if link.name == "context"), None)
    types = read_types(
        document, join, graph_by_enum, context.directive_name("context") if context else None
    )
    return Supergraph(
        sdl=sdl,
        join_version=join.version,
        subgraphs=subgraphs,
        schema=schema,
        api_schema=api_schema,
        api_sdl=print_api_schema(api_schema),
        types=types,
        enum_values=read_enum_values(document, join, graph_by_enum),
        graph_by_enum=graph_by_enum,
        authorization=read_authorization(document, links),
        override_labels=frozenset(
            in_graph.override_label
            for type_model in types.values()
            for field_model in type_model.fields.values()
            for in_graph in field_model.in_graphs.values()
            if in_graph.override_label is not None
        ),
    )
