"""Random subgraph sets: same verdict, same error codes and the same supergraph as Apollo."""

import re

import pytest

from router.composition import compose
from tests.router.composition.random_subgraphs import random_subgraph_set
from tests.router.composition.supergraph_equivalence import apollo_compose

SEEDS = range(40)


def test_generator_produces_both_composable_and_broken_sets() -> None:
    verdicts = {compose(random_subgraph_set(seed)).supergraph_sdl is None for seed in SEEDS}

    assert verdicts == {True, False}


@pytest.mark.npm
@pytest.mark.parametrize("seed", SEEDS)
def test_random_subgraphs_compose_like_apollo(npm_tools: None, seed: int) -> None:
    sources = random_subgraph_set(seed)
    reference, errors = apollo_compose(sources)

    result = compose(sources)

    if reference is None:
        apollo_codes = {line.split(":", 1)[0] for line in errors if re.match(r"^[A-Z_]+:", line)}
        assert {error.code for error in result.errors} == apollo_codes
        assert result.supergraph_sdl is None
    else:
        assert result.errors == ()
        assert result.supergraph_sdl == reference
