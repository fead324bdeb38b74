"""``load_supergraph``: supergraph SDL -> frozen ``Supergraph``."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

import graphql

from router.errors import SupergraphError
from router.supergraph.api_schema import build_api_schema
from router.supergraph.join import JoinReader, read_graphs
from router.supergraph.links import read_links
from router.supergraph.model import Supergraph, TypeModel

SUPPORTED_JOIN_VERSIONS = frozenset({"0.2", "0.3", "0.4", "0.5"})


def load_supergraph(sdl: str, *, subgraph_urls: Mapping[str, str] | None = None) -> Supergraph:
    """Raises ``SupergraphError`` with a clear message when the file cannot be served."""
    try:
        document = graphql.parse(sdl)
    except graphql.GraphQLError as error:
        raise SupergraphError(
            f"the supergraph is not valid GraphQL SDL: {error.message}"
        ) from error
    features = read_links(document)
    join = next((f for f in features if f.name == "join" and f.is_apollo_spec), None)
    if join is None:
        raise SupergraphError(
            "not a Federation 2 supergraph: no @link to https://specs.apollo.dev/join"
        )
    if join.version not in SUPPORTED_JOIN_VERSIONS:
        raise SupergraphError(f"join spec v{join.version} is not supported (v0.2 to v0.5 are)")
    graphs = read_graphs(document, join, subgraph_urls or {})
    known = {endpoint.name for endpoint in graphs.values()}
    unknown = set(subgraph_urls or {}) - known
    if unknown:
        raise SupergraphError(f"URL given for unknown subgraph(s): {', '.join(sorted(unknown))}")
    try:
        schema = graphql.build_ast_schema(document, assume_valid_sdl=True)
        api_schema = build_api_schema(document, features)
    except (graphql.GraphQLError, TypeError) as error:
        raise SupergraphError(f"the supergraph schema cannot be built: {error}") from error
    errors = graphql.validate_schema(api_schema)
    if errors:
        raise SupergraphError("the API schema is invalid: " + "; ".join(e.message for e in errors))
    reader = JoinReader(join, graphs)
    reader.read(document)
    types = {
        name: TypeModel(
            name=name,
            kind=kind,
            join_types=tuple(reader.join_types.get(name, ())),
            fields=MappingProxyType(reader.field_models(name)),
            implements=MappingProxyType(
                {g: frozenset(i) for g, i in reader.implements.get(name, {}).items()}
            ),
            union_members=MappingProxyType(
                {g: frozenset(m) for g, m in reader.members.get(name, {}).items()}
            ),
        )
        for name, kind in reader.kinds.items()
        if not join.owns_type(name)
    }
    return Supergraph(
        subgraphs=MappingProxyType({e.name: e for e in graphs.values()}),
        api_schema=api_schema,
        api_sdl=graphql.print_schema(api_schema),
        schema=schema,
        types=MappingProxyType(types),
        join_version=join.version,
        sdl=sdl,
    )
