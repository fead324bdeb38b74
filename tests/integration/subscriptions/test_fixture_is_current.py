"""The subscriptions test graph's checked-in SDLs and supergraph are what its subgraphs print
and what @apollo/composition composes today (`python -m tests.fixtures.subscriptions.generate`
rewrites them)."""

import pytest

from tests.fixtures.subscriptions.generate import DIRECTORY, SUPERGRAPH, composed_supergraph
from tests.fixtures.subscriptions.subgraphs import GRAPH

pytestmark = pytest.mark.npm


def test_the_subscriptions_supergraph_matches_a_fresh_composition(npm_tools: None) -> None:
    for name, sdl in GRAPH.subgraph_sdls().items():
        assert (DIRECTORY / f"{name}.graphql").read_text() == sdl, name
    assert SUPERGRAPH.read_text() == composed_supergraph()
