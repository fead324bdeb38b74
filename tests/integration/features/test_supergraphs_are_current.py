"""The checked-in feature SDLs, supergraphs and API schemas are what the subgraphs print and what
@apollo/composition composes today, and the benchmark graph's API schema is what its supergraph
gives (`python -m tests.fixtures.features.generate` rewrites them)."""

import pytest

from tests.fixtures.features.generate import PRECOMPOSED_GRAPHS, api_schema
from tests.fixtures.features.graphs import FEATURE_GRAPHS
from tests.fixtures.features.harness import FeatureGraph, compose_supergraph

pytestmark = pytest.mark.npm


@pytest.mark.parametrize("graph", FEATURE_GRAPHS, ids=[graph.name for graph in FEATURE_GRAPHS])
def test_feature_supergraph_matches_a_fresh_composition(
    npm_tools: None, graph: FeatureGraph
) -> None:
    for name, sdl in graph.subgraph_sdls().items():
        assert (graph.directory / f"{name}.graphql").read_text() == sdl, name
    assert graph.supergraph_path.read_text() == compose_supergraph(graph)
    assert graph.api_schema_path.read_text() == api_schema(graph)


@pytest.mark.parametrize(
    "graph", PRECOMPOSED_GRAPHS, ids=[graph.name for graph in PRECOMPOSED_GRAPHS]
)
def test_api_schema_matches_the_precomposed_supergraph(
    npm_tools: None, graph: FeatureGraph
) -> None:
    assert graph.api_schema_path.read_text() == api_schema(graph)
